"""The plan's energy heard in the melody while the model samples it."""

from __future__ import annotations

import torch

from songform.hierarchy.plan import BarPlan

from .generate_config import GenerateConfig
from .grammar import BarState
from .sampling import add_bias, add_ramp
from .skeleton import pitch_ramp
from .tokenizer import ROLE_PROGRAMS, SongTokenizer


class EnergyLift:
    """The plan's energy in the melody: a register tilt on its pitches and a bias toward its
    onsets, both by the bar's energy above (or below) the song's mean."""

    def __init__(self, tokenizer: SongTokenizer, mean_energy: float,
                 config: GenerateConfig) -> None:
        self.ids, self.semitones = pitch_ramp(tokenizer)
        self.melody = ROLE_PROGRAMS["melody"]
        program = tokenizer.vocab.get(f"Program_{self.melody}")
        self.program = torch.tensor([program] if program is not None else [],
                                    dtype=torch.long)
        self.mean = mean_energy
        self.register, self.density = config.register_lift, config.density_lift

    def apply(self, logits: torch.Tensor, state: BarState, bar: BarPlan) -> torch.Tensor:
        level = bar.energy - self.mean
        if not level:
            return logits
        if state.previous == "Program" and state.program == self.melody:
            return add_ramp(logits, self.ids, self.semitones, self.register * level)
        if state.previous in ("Position", "Duration") and self.melody in state.programs:
            return add_bias(logits, self.program, self.density * level)
        return logits
