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
from renderer.paint.sprites import LayerSprite, Sprite

T = TypeVar("T")

# How many of each a render keeps: a cast shows a few hundred attachments at two or three
# scales; a set has a handful of layers, each painted at one or two scales in a shot.
KEEP = {"attachment": 4096, "layer": 24, "tiles": 16, "shadow": 256, "solid": 24,
        "look": 8, "plate": 8, "caption": 128,   # post chains (with their plates), fog, captions
        "relief": 4096, "lit": 8192, "litlayer": 48,   # lit by the set's rig (`paint.light`)
        "covered": 4096,                         # the area a layer's or part's shapes cover
        "lines": 64}                             # where each shot's burnt captions sit


class Paintings:
    """Bounded memory of paintings, and the backdrop a held camera reuses (see `compose`)."""

    def __init__(self, store: PaintStore | None = None) -> None:
        self.store = store                      # the paint cache on disk; None: paint, keep none
        self._tables: dict[str, OrderedDict] = {kind: OrderedDict() for kind in KEEP}
        # The set's paintings load in a helper thread while the cast's load in the render's:
        # each table is touched under the lock (painting itself happens outside it).
        self._lock = threading.Lock()
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
            if len(table) > KEEP[kind]:
                table.popitem(last=False)
        return value

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

    def tiles(self, sprite: LayerSprite) -> tuple:
        return self.get("tiles", sprite, lambda: sprites.layer_tiles(sprite))

    def shadow(self, width: float, height: float, scale: float,
               grade: Grade | None = None) -> Sprite:
        return self.get("shadow", (width, height, scale, grade),
                        lambda: sprites.shadow_sprite(width, height, scale, grade))

    def held(self, kind: str) -> int:
        """How many `kind` paintings are in memory now."""
        return len(self._tables[kind])
