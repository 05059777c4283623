"""The paintings one render keeps in memory, owned by that render and dropped with it.

A render (its `ScenePlan`), a model sheet or a benchmark makes a `Paintings` and hands it down to
the compositor; nothing is kept at module level, so two renders in one process never share or
clear each other's memory, and a batch worker frees a scene's paintings by dropping its plan.
Paintings come from `sprites`, which reads and writes the paint cache on disk when the render
was given one (`store`, opened by the command line or the batch); this is only the memory in
front of it: bounded least-recently-used tables, one per kind of painting.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

from renderer.model.puppet import PuppetDef
from renderer.model.set import SetDef
from renderer.paint import sprites
from renderer.paint.grade import Grade
from renderer.paint.paintcache import PaintStore
from renderer.paint.shards import layer_shards
from renderer.paint.sprites import LayerSprite, Sprite

T = TypeVar("T")

# How many of each a render keeps: a cast shows a few hundred attachments at two or three
# scales; a set has a handful of layers, each painted at one or two scales in a shot.
KEEP = {"attachment": 4096, "layer": 24, "shards": 16, "shadow": 256, "solid": 24,
        "look": 8, "plate": 8, "caption": 128,   # post chains (with their plates), fog, captions
        "relief": 4096, "lit": 8192, "litlayer": 48,   # lit by the set's rig (`paint.light`)
        "covered": 4096,                         # the area a layer's or part's shapes cover
        "lines": 64}                             # where each shot's burnt captions sit
# Set layers are the large paintings (a backdrop under a close-up's zoom is tens of MB, and a
# push-in paints it again at each new scale): their tables are bounded by bytes as well, but
# the LAYERS_IN_VIEW most recently used stay whatever they weigh, since an exposure draws every
# layer of its set and dropping one it draws would read it back every exposure. Lit parts are
# bounded the same way: a walk turns parts through a few lit versions each, and a scene's
# hundreds of them weighed 50-75 MB, while one exposure draws 7-10 MB of them; the
# PARTS_IN_VIEW most recent stay.
KEEP_BYTES = {"layer": 16 << 20, "litlayer": 16 << 20, "lit": 16 << 20}
LAYERS_IN_VIEW = 8     # more than any set has layers
PARTS_IN_VIEW = 128    # more parts than any exposure shows
KEPT_IN_VIEW = {"layer": LAYERS_IN_VIEW, "litlayer": LAYERS_IN_VIEW, "lit": PARTS_IN_VIEW}
# Tables keyed by a layer painting: their entries would keep a dropped painting alive.
KEYED_BY_LAYER = ("solid", "shards")


def _weight(value) -> int:
    """The bytes of a painting kept in a table bounded by bytes: a layer painting, or the lit
    painting of a (painting, lit painting) pair. An opaque layer may be drawn as the backdrop,
    which keeps its colour planes beside it (`LayerSprite.rgb`): three quarters more."""
    sprite = value[-1] if isinstance(value, tuple) else value
    return sprite.rgba.nbytes * (7 if getattr(sprite, "opaque", False) else 4) // 4


class Paintings:
    """Bounded memory of paintings, and the backdrop a held camera reuses (see `compose`)."""

    def __init__(self, store: PaintStore | None = None) -> None:
        self.store = store                      # the paint cache on disk; None: paint, keep none
        self._tables: dict[str, OrderedDict] = {kind: OrderedDict() for kind in KEEP}
        self._weights: dict[str, dict] = {kind: {} for kind in KEEP_BYTES}   # bytes by key
        self._bytes = dict.fromkeys(KEEP_BYTES, 0)                          # and their sum
        # The set's paintings load in a helper thread while the cast's load in the render's:
        # each table is touched under the lock (painting itself happens outside it).
        self._lock = threading.Lock()
        self.kept_in_view = dict(KEPT_IN_VIEW)  # per kind: the most recent kept whatever they weigh
        self.backdrop: tuple = (None, None)   # (inputs, kept frame or None): `composite`'s
        self.loads = 0                          # paintings fetched from `sprites` so far

    def get(self, kind: str, key: Hashable, make: Callable[[], T]) -> T:
        """The `kind` painting for `key`, made by `make` the first time (and again only after
        it has been pushed out by KEEP[kind] more recent ones)."""
        table = self._tables[kind]
        with self._lock:
            if key in table:
                table.move_to_end(key)
                return table[key]
        value = make()
        with self._lock:
            self.loads += 1
            table[key] = value
            if kind in KEEP_BYTES:
                weight = _weight(value)    # (two threads may have made the same one)
                self._bytes[kind] += weight - self._weights[kind].get(key, 0)
                self._weights[kind][key] = weight
                self._drop_heavy(kind)
            elif len(table) > KEEP[kind]:
                table.popitem(last=False)
        return value

    def _drop_heavy(self, kind: str) -> None:
        """Drop the least recently used paintings while the table holds more than its count or
        its bytes allow (never the KEPT_IN_VIEW most recent), and what is kept beside each
        layer dropped. Called under the lock."""
        table, weights = self._tables[kind], self._weights[kind]
        while len(table) > self.kept_in_view[kind] and (len(table) > KEEP[kind] or
                                                   self._bytes[kind] > KEEP_BYTES[kind]):
            key, value = table.popitem(last=False)
            self._bytes[kind] -= weights.pop(key)
            if kind in ("layer", "litlayer"):
                for beside in KEYED_BY_LAYER:
                    self._tables[beside].pop(value, None)

    def showing_layers(self, count: int) -> None:
        """The set drawn now has `count` layers: its exposures draw those and no others, so
        only that many of the most recent layer paintings are kept whatever they weigh (a
        push-in's earlier scales of a backdrop go once the tables are over their bytes)."""
        with self._lock:
            for kind in ("layer", "litlayer"):
                self.kept_in_view[kind] = max(1, min(count, LAYERS_IN_VIEW))

    def held_bytes(self, kind: str) -> int:
        """The bytes of the `kind` paintings in memory now (a kind in KEEP_BYTES)."""
        with self._lock:
            return self._bytes[kind]

    def attachment(self, puppet: PuppetDef, attachment: str, scale: float,
                   grade: Grade | None = None, variant: int = 0) -> Sprite:
        return self.get("attachment", (puppet, attachment, scale, grade, variant),
                        lambda: sprites.attachment_sprite(puppet, attachment, scale, grade,
                                                          variant, self.store))

    def layer(self, set_def: SetDef, index: int, scale: float, dof: float,
              grade: Grade | None = None, clip: tuple | None = None) -> LayerSprite:
        return self.get("layer", (set_def, index, scale, dof, grade, clip),
                        lambda: sprites.layer_sprite(set_def, index, scale, dof, grade, clip,
                                                     self.store))

    def lit_layer(self, set_def: SetDef, index: int, scale: float, dof: float,
                  grade: Grade | None, clip: tuple | None,
                  levels: tuple[float, ...]) -> LayerSprite:
        """A layer painting lit by its set's rig at flicker `levels` (`sprites.lit_layer_sprite`)."""
        return self.get("litlayer", (set_def, index, scale, dof, grade, clip, levels),
                        lambda: sprites.lit_layer_sprite(set_def, index, scale, dof, grade, clip,
                                                         levels, self.store))

    def shards(self, sprite: LayerSprite) -> tuple:
        return self.get("shards", sprite, lambda: layer_shards(sprite))

    def shadow(self, width: float, height: float, scale: float,
               grade: Grade | None = None) -> Sprite:
        return self.get("shadow", (width, height, scale, grade),
                        lambda: sprites.shadow_sprite(width, height, scale, grade))

    def held(self, kind: str) -> int:
        """How many `kind` paintings are in memory now."""
        return len(self._tables[kind])
