"""Counter-based jitter: same keys, same numbers; bounded amplitudes."""
import numpy as np

from renderer import jitter


def test_same_keys_give_the_same_numbers_and_other_keys_differ():
    a = jitter.stream(3, "shot", 7, "coraline", "boil").random(4)
    b = jitter.stream(3, "shot", 7, "coraline", "boil").random(4)
    c = jitter.stream(3, "shot", 8, "coraline", "boil").random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_boil_stays_within_each_parts_amplitude():
    amps = np.array([0.5, 1.0, 2.0])
    for exposure in range(200):
        b = jitter.boil(1, "s", exposure, "x", amps, degrees=0.6)
        assert np.all(np.abs(b[:, :2]) <= amps[:, None] + 1e-12)
        assert np.all(np.abs(b[:, 2]) <= 0.6 * amps / amps.max() + 1e-12)


def test_boil_actually_moves_parts_between_exposures():
    amps = np.ones(5)
    offsets = np.array([jitter.boil(1, "s", e, "x", amps, 0.6) for e in range(50)])
    assert offsets[:, :, :2].std() > 0.2   # clipped N(0, 0.5): std about 0.46 units


def test_flicker_stays_within_its_amount():
    gains = [jitter.flicker(9, "s", e, 0.02) for e in range(300)]
    assert min(gains) >= 0.98 and max(gains) <= 1.02
    assert max(gains) - min(gains) > 0.03  # and it really varies
