"""The Music Transformer writes a song bar by bar under its plan.

Every bar opens with the plan's tokens for it (bar line, meter, section, label, key, energy,
tracks, chords), fed to the model as one chunk and never sampled; then the model samples the
bar's notes under the token grammar: positions move forward inside the bar, programs are the
roles that the plan lets play there (and that the model was trained on), each note is pitch,
velocity, duration. A bar that restates an earlier one (the plan's ``repeat_of_bar``) copies
that bar's notes, unless its ``variation`` draws a fresh bar. Decoding runs through the
ring-buffer cache with explicit positions (``symbolic/decoding.py``), so every token costs the
same however long the song is: generation is linear in the song's length. Several songs, or
several takes of each section, are written side by side in one batch, each row at its own
pace; the best take of a section by ``symbolic/takes.py``'s score is kept.

The stream becomes the plan's tracks in ``symbolic/mixdown.py``: roles the model does not
write (a POP909 model knows melody, counter-melody and harmony) come from the baseline
arranger, so the plan's every track sounds, and the plan's energy sets the dynamics.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import torch

from songform.core.errors import InputError
from songform.hierarchy.plan import TRACK_ROLES, SongPlan

from .batch_writer import BatchWriter, finished_songs
from .decoding import Decoder, Row
from .energy_lift import EnergyLift
from .generate_config import GenerateConfig
from .grammar import Grammar
from .jobs import SongJob
from .model import MusicTransformer
from .skeleton import check_vocabulary, chord_tone_ids, plan_skeleton
from .song import PlannedScore
from .take_judge import TakeJudge
from .tokenizer import AttributeState, SongTokenizer

__all__ = ["GenerateConfig", "SongJob", "generate", "write_songs"]


def generate(model: MusicTransformer, tokenizer: SongTokenizer, plan: SongPlan, seed: int = 0,
             config: GenerateConfig | None = None, roles: tuple[str, ...] | None = None,
             progress: Callable[[int, int], None] | None = None, **conditions: Any
             ) -> PlannedScore:
    """Write one song: :func:`write_songs` for ``SongJob(plan, seed, **conditions)`` (given,
    fresh or forced bars); the same model, plan, seed and settings give the same song."""
    job = SongJob(plan, seed, **conditions)
    return next(write_songs(model, tokenizer, [job], config, roles, progress))[1]


def write_songs(model: MusicTransformer, tokenizer: SongTokenizer, jobs: list[SongJob],
                config: GenerateConfig | None = None, roles: tuple[str, ...] | None = None,
                progress: Callable[[int, int], None] | None = None,
                batch: int | None = None) -> Iterator[tuple[int, PlannedScore]]:
    """Write several songs side by side through one cache, ``(job index, song)`` as each is
    finished. At most ``batch`` songs are in flight (default: all); when one ends, the next
    job takes its rows (longest plans first, so that no long song is left to run alone at
    the end). Each song comes out as it is written alone with its seed. With
    ``config.takes`` above 1 every section is written that many times side by side and the
    take that best keeps the plan (``symbolic.takes``) is kept.

    Args:
        jobs: the songs, each a plan, a seed and what conditions it (``SongJob``).
        roles: the roles the model writes (a checkpoint's ``tokenizer.json`` lists them);
            default all. The plan's other tracks are played by the baseline arranger.
        progress: called ``(bars done, bars)`` over all songs, after each bar.
        batch: songs written side by side at most (each takes ``config.takes`` rows).

    Raises:
        InputError: no job, a bad batch, or a plan with bars the model has no tokens for
            (before anything is decoded).
    """
    config = config or GenerateConfig()
    roles = tuple(roles or TRACK_ROLES)
    if not jobs:
        raise InputError("write_songs needs at least one job")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int)
                              or batch < 1):
        raise InputError(f"batch must be a positive integer, got {batch!r}")
    plans = [job.plan for job in jobs]
    skeletons = [plan_skeleton(tokenizer, plan, roles) for plan in plans]
    for skeleton in skeletons:
        check_vocabulary(tokenizer, skeleton)
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(jobs)), key=lambda song: -plans[song].num_bars)

    def new_rows(song: int) -> list[Row]:
        """The rows of song ``song``: one per take."""
        plan, seed = plans[song], jobs[song].seed
        bars = list(plan.bars())
        lift = EnergyLift(tokenizer, sum(b.energy for b in bars) / len(bars), config)
        return [Row(song, take, seed, bars, skeletons[song], lift,
                    AttributeState(bars, tokenizer.settings.beat_resolution),
                    torch.Generator().manual_seed(seed), random.Random(seed))
                for take in range(config.takes)]

    first = order[:batch or len(jobs)]
    rows = [row for song in first for row in new_rows(song)]
    decoder = Decoder(model, tokenizer, rows, config.context, device)
    judge = TakeJudge(plans, tokenizer, config.takes) if config.takes > 1 else None
    writer = BatchWriter(decoder, jobs, roles, Grammar(tokenizer), chord_tone_ids(tokenizer),
                         config, judge, progress)
    return finished_songs(writer, iter(order[len(first):]), new_rows, tokenizer, plans,
                          roles)
