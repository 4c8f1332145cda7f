"""One song to write and what conditions it: the plan, the seed, and the bars or notes a
user or a song already holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from songform.hierarchy.plan import SongPlan

from .bar_sampler import ForcedNote, programs_of


@dataclass(frozen=True)
class SongJob:
    """A plan to write with a seed.

    Attributes:
        given: bars whose note tokens are given (``{bar index: tokens}``): fed to the model
            as written, never sampled (the rest of a song when one part is written again).
        fresh: bars sampled afresh even where the plan restates an earlier bar (the part a
            user asked to write again).
        forced: notes of one program forced inside sampled bars (``{bar index:
            [ForcedNote]}``: a user's melody to arrange): each is written at its position
            and the model samples only the other programs around it (see ``BarSampler``);
            the bars that hold them should be ``fresh``.
        forced_programs: the programs never sampled in the forced bars (default: those of
            the forced notes; give them where a part may be silent for a whole song).
    """

    plan: SongPlan
    seed: int = 0
    given: dict[int, list[str]] = field(default_factory=dict)
    fresh: frozenset[int] = frozenset()
    forced: dict[int, list[ForcedNote]] = field(default_factory=dict)
    forced_programs: frozenset[str] | None = None

    @property
    def programs(self) -> frozenset[str]:
        """The programs never sampled in the forced bars."""
        return (self.forced_programs if self.forced_programs is not None
                else programs_of(self.forced))
