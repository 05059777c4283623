"""The on-disk paint cache: a hit gives the very same pixels; changed inputs miss."""
import numpy as np

from renderer import paintcache, sprites
from renderer.puppet import load_puppet
from renderer.sets import load_set


def fresh_process_caches():
    sprites.attachment_sprite.cache_clear()
    sprites.layer_sprite.cache_clear()


def test_a_cached_painting_is_identical_to_a_fresh_one(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("STOPMO_CACHE", str(tmp_path))
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    set_def = load_set(repo / "scenes" / "sets" / "other_dining_room.yaml")
    fresh_process_caches()
    painted = sprites.attachment_sprite(puppet, "raincoat", 0.5)
    layer = sprites.layer_sprite(set_def, 1, 0.5, 1.0)
    assert len(list(tmp_path.glob("*/*.png"))) == 2
    fresh_process_caches()           # as a new render process would start
    again = sprites.attachment_sprite(puppet, "raincoat", 0.5)
    layer_again = sprites.layer_sprite(set_def, 1, 0.5, 1.0)
    assert again is not painted and np.array_equal(again.rgba, painted.rgba)
    assert again.origin == painted.origin
    assert np.array_equal(layer_again.rgba, layer.rgba)
    assert (layer_again.origin, layer_again.opaque) == (layer.origin, layer.opaque)


def test_other_inputs_miss_and_off_disables(repo, tmp_path, monkeypatch):
    puppet = load_puppet(repo / "puppets" / "coraline.yaml")
    art = puppet.attachments["raincoat"]
    assert paintcache.key("sprite", art, 0.5, 1) != paintcache.key("sprite", art, 0.5, 2)
    assert paintcache.key("sprite", art, 0.5, 1) != paintcache.key("sprite", art, 0.7, 1)
    monkeypatch.setenv("STOPMO_CACHE", "off")
    fresh_process_caches()
    sprites.attachment_sprite(puppet, "raincoat", 0.5)
    assert paintcache.cache_dir() is None and not any(tmp_path.iterdir())
