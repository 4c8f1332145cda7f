"""The recipe of a training run (what ``songform train`` asks for): the run's options (the
defaults, a resumed run's own, the ones given), checked as a whole before any data is read;
the schedule; the datasets; the run itself, with its curve beside the checkpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from songform.core.errors import InputError
from songform.core.fileio import atomic_write_text
from songform.data.corpus_mix import CorpusShare, default_corpus_path, parse_corpus_list
from songform.data.token_cache import Progress
from songform.data.training_sets import TrainingSets, jsb_grid_sets, mixed_sets, song_sets

SINGLE_CORPORA = ("jsb", "pop909", "midi")
"""``--corpus`` names of one corpus; anything else is a list of song corpora (``pop909:2,jsb,
folk``), and ``jsb`` alone is the JSB benchmark grid."""
DEFAULTS = {"corpus": "jsb", "data": None, "cache": None, "position": "relative",
            "fme": True, "ripo": True, "dim": 128, "depth": 3, "heads": 4, "window": 256,
            "steps": 1000, "batch_size": 16, "lr": 1e-3, "seed": 0, "device": "cpu",
            "limit": None, "save_every": 500, "init": None}
RUN_FILE = "train.json"  # the options a run was started with, beside its checkpoint
SIZES = ("dim", "depth", "heads", "position", "fme", "ripo")


def saved_options(folder: Path) -> dict[str, Any]:
    """The options the run in ``folder`` was started with (paths back as paths).

    Raises:
        InputError: no such folder, or a ``train.json`` that is not a run's options.
    """
    path = Path(folder) / RUN_FILE
    if not Path(folder).is_dir():
        raise InputError(f"--resume: no checkpoint folder at {folder}")
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: {error}") from None
    unknown = set(saved) - set(DEFAULTS) if isinstance(saved, dict) else {"?"}
    if unknown:
        raise InputError(f"{path}: not a training run's options ({sorted(unknown)[:3]})")
    for name in ("data", "cache", "init"):
        if saved.get(name) is not None:
            saved[name] = Path(saved[name])
    return saved


@dataclass(frozen=True)
class TrainRequest:
    """A run's options as they will be used, its checkpoint folder, the folder it resumes."""

    options: dict[str, Any]
    out: Path
    resume: Path | None = None

    @classmethod
    def of(cls, given: dict[str, Any], out: Path | None, resume: Path | None) -> TrainRequest:
        """The defaults, then the resumed run's own options, then ``given``; checked.

        Raises:
            InputError: naming the option that is wrong.
        """
        from songform.symbolic.devices import check_device

        saved = saved_options(resume) if resume is not None else {}
        options = {**DEFAULTS, **saved, **{k: v for k, v in given.items() if v is not None}}
        out = out or resume
        if out is None:
            raise InputError("--out: a checkpoint folder is needed (or --resume FOLDER)")
        request = cls(options, Path(out), resume)
        if request.shares is not None and (options["data"] or options["cache"]):
            raise InputError("--data and --cache name one corpus; a list reads each corpus "
                             "from its own place")
        if options["limit"] is not None and options["limit"] < 1:
            raise InputError(f"--limit: expected a positive number of songs, got "
                             f"{options['limit']}")
        check_device(options["device"])
        if options["init"] is not None and not Path(options["init"]).is_dir():
            raise InputError(f"--init: no checkpoint folder at {options['init']}")
        request.model_config(2)  # the sizes checked before any data is read
        request.schedule()
        return request

    @property
    def shares(self) -> tuple[CorpusShare, ...] | None:
        """The corpora of a list, ``None`` for one corpus."""
        corpus = self.options["corpus"]
        return None if corpus in SINGLE_CORPORA else parse_corpus_list(corpus)

    def model_config(self, vocab_size: int):
        from songform.symbolic.model import ModelConfig

        window = self.options["window"]
        return ModelConfig(vocab_size=vocab_size, max_relative=window,
                           max_positions=window + 1,
                           **{name: self.options[name] for name in SIZES})

    def schedule(self):
        """Warmup a tenth of the steps, validation every 250 steps (or five times a run)."""
        from songform.symbolic.train import TrainConfig

        steps, options = self.options["steps"], self.options
        return TrainConfig(steps=steps, batch_size=options["batch_size"], lr=options["lr"],
                           warmup=max(1, min(steps, max(10, steps // 10))),
                           seed=options["seed"], device=options["device"],
                           eval_every=max(1, min(250, steps // 5)),
                           checkpoint_every=options["save_every"])

    def sets(self, progress: Progress | None = None) -> TrainingSets:
        """The datasets (``progress`` while a corpus is tokenized for the first time)."""
        options = self.options
        window, seed, limit = options["window"], options["seed"], options["limit"]
        if options["corpus"] == "jsb":
            crops = options["steps"] * options["batch_size"]
            return jsb_grid_sets(options["data"] or default_corpus_path("jsb"), window, seed,
                                 crops)
        if self.shares is not None:
            return mixed_sets(self.shares, window, seed, limit, progress)
        return song_sets(options["corpus"], options["data"], options["cache"], window, seed,
                         limit, progress)

    def run(self, sets: TrainingSets, threads: int | None = None,
            progress: bool = True) -> dict[str, Any]:
        """Train on ``threads`` torch threads (default torch's: every core), the options
        saved beside the checkpoint and the curve drawn there; under torchrun the processes
        leave together."""
        import torch
        import torch.distributed as dist

        from songform.symbolic.curve import TrainingCurve
        from songform.symbolic.devices import check_threads, torch_threads
        from songform.symbolic.train import train

        self.out.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.out / RUN_FILE, json.dumps(
            {k: str(v) if isinstance(v, Path) else v for k, v in self.options.items()},
            indent=2) + "\n")
        curve = TrainingCurve.resume(self.out) if self.resume else TrainingCurve(self.out)
        with torch_threads(check_threads(threads) if threads is not None
                           else torch.get_num_threads()):
            summary = train(self.model_config(sets.vocab_size), sets.train, sets.valid,
                            self.schedule(), out_dir=self.out, resume=self.resume,
                            info=sets.info, on_log=curve.add, progress=progress,
                            init=self.options["init"])
        distributed = dist.is_available() and dist.is_initialized()
        if not distributed or dist.get_rank() == 0:
            curve.save()
        if distributed:  # under torchrun: leave together
            dist.barrier()
            dist.destroy_process_group()
        return summary
