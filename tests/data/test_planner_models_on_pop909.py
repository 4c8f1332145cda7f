"""The learned planner models against their baselines on POP909's held-out songs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from songform.data.pop909_annotations import beats_per_bar_table, read_annotations, song_dirs
from songform.hierarchy.chord_model import ChordModel, load_chord_model
from songform.hierarchy.form_model import FormModel, load_form_model
from songform.hierarchy.labels import parse_label_string
from songform.hierarchy.splits import POP909_UNUSABLE_LABELS, pop909_split

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_planner_models.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_planner_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def songs(pop909_root):
    bpb = beats_per_bar_table(pop909_root)
    by_split: dict[str, list] = {"train": [], "valid": [], "test": []}
    for song_dir in song_dirs(pop909_root):
        if int(song_dir.name) not in POP909_UNUSABLE_LABELS:
            by_split[pop909_split(song_dir.name)].append(
                read_annotations(song_dir, bpb.get(song_dir.name, 4)))
    return by_split


def test_annotations_line_up_with_labels(songs):
    """Chord bars and label bars agree within two bars for most songs (README: a few differ)."""
    close = 0
    for song in songs["test"]:
        label_bars = sum(p.bars for p in parse_label_string(song.labels))
        close += abs(len(song.bar_chords()) - label_bars) <= 2
    assert close >= 0.9 * len(songs["test"])


def test_form_model_beats_order_blind_baseline_on_test_songs(songs):
    model = load_form_model()
    unigram = FormModel.fit([a.labels for a in songs["train"]], order=1)
    model_ll = sum(model.log_likelihood(a.labels)[0] for a in songs["test"])
    unigram_ll = sum(unigram.log_likelihood(a.labels)[0] for a in songs["test"])
    assert model_ll > unigram_ll + 5 * len(songs["test"])  # > 5 nats a song better


def test_chord_model_beats_its_baselines_on_test_songs(songs):
    script = _script()
    phrases = [p for a in songs["test"][:40] for p in script.chord_phrases(a)]
    model = load_chord_model()
    assert model.beta > 0
    with_kind = model.evaluate(phrases)
    without_kind = model.with_beta(0.0).evaluate(phrases)
    unigram = ChordModel.fit(script.distinct_phrases(songs["train"]), "unigram",
                             model.counts.discount).evaluate(phrases)
    assert with_kind["perplexity"] < without_kind["perplexity"] < unigram["perplexity"]
    assert with_kind["top3"] > unigram["top3"] + 0.05
