"""The idiom in the plan tokens: every bar says which corpus idiom the plan's style is written
in; a model with weights for it hears it; a checkpoint from before the idioms keeps its ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from songform.hierarchy.planner import plan_song
from songform.hierarchy.styles import IDIOMS, style_idiom
from songform.hierarchy.template import Template
from songform.symbolic.arranger import arrange
from songform.symbolic.grammar import follows
from songform.symbolic.model import ModelConfig, MusicTransformer
from songform.symbolic.tokenizer import SongTokenizer, TokenizerSettings

SHIPPED = Path(__file__).resolve().parents[2] / "symbolic" / "checkpoints" / "pop909"


def _old_tokenizer() -> SongTokenizer:
    saved = json.loads((SHIPPED / "tokenizer.json").read_text())["settings"]
    return SongTokenizer(TokenizerSettings.from_dict(saved))


def test_every_bar_carries_its_style_idiom():
    tokenizer = SongTokenizer()
    assert tokenizer.settings.idioms == IDIOMS
    for style, idiom in (("pop", "pop"), ("jazz", "pop"), ("chorale", "chorale"),
                         ("folk", "folk"), ("jig", "folk"), ("reel", "folk")):
        assert style_idiom(style) == idiom
        song = arrange(plan_song(Template(style=style, bars=8), seed=1))
        tokens = tokenizer.encode(song).tokens
        bars = [i for i, t in enumerate(tokens) if t == "Bar_None"]
        assert len(bars) == song.plan.num_bars
        for i in bars:
            opening = tokens[i + 1] if tokens[i + 1].startswith("Idiom_") else tokens[i + 2]
            assert opening == f"Idiom_{idiom}"
        assert all(follows(a, b) for a, b in zip(tokens, tokens[1:], strict=False))


def test_a_checkpoint_from_before_the_idioms_keeps_its_ids_and_reads_pop():
    old, new = _old_tokenizer(), SongTokenizer()
    assert old.settings.idioms == () and len(old) == 831
    assert all(new.vocab[token] == index for token, index in old.vocab.items())
    assert len(new) == len(old) + 5  # two section kinds, three idioms, at the end
    song = arrange(plan_song(Template(style="folk", bars=8), seed=2))
    tokens = old.encode(song).tokens
    assert not any(t.startswith("Idiom_") for t in tokens)
    assert "Section_strain" not in tokens and "Section_verse" in tokens


def test_the_idiom_token_changes_a_tiny_models_next_token():
    tokenizer = SongTokenizer()
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=16, depth=1, heads=2,
                                         position="relative", max_relative=16)).eval()
    logits = []
    for idiom in ("pop", "chorale"):
        ids = [tokenizer.vocab[t] for t in ("Bar_None", f"Idiom_{idiom}", "Section_verse",
                                            "Label_A")]
        with torch.no_grad():
            logits.append(model(torch.tensor([ids]))[0, -1])
    assert not torch.allclose(logits[0], logits[1])


def test_a_model_of_several_idioms_writes_each_idioms_roles():
    from songform.core.errors import InputError
    from songform.symbolic.writers import SongModel

    model = SongModel(None, None, ("bass", "counter-melody", "harmony", "melody"),
                      {"pop": ("counter-melody", "harmony", "melody"),
                       "chorale": ("bass", "counter-melody", "harmony", "melody"),
                       "folk": ("melody",)})
    chorale, pop, folk, waltz = (plan_song(Template(style=s, bars=8), seed=1)
                                 for s in ("chorale", "pop", "jig", "waltz"))
    assert model.roles_for(chorale) == ("bass", "counter-melody", "harmony", "melody")
    assert model.roles_for(pop) == ("counter-melody", "harmony", "melody")
    assert model.roles_for(folk) == ("melody",)
    assert model.roles_for(waltz) == ("counter-melody", "melody")  # the band's piano
    assert model.plans_roles([pop, pop]) == model.roles_for(pop)
    with pytest.raises(InputError, match="share the roles"):
        model.plans_roles([pop, chorale])


def test_a_checkpoint_card_names_where_each_styles_notes_come_from(tmp_path):
    from songform.symbolic.checkpoint_info import CheckpointInfo, read_card

    tokenizer = SongTokenizer()
    mixed = CheckpointInfo.for_songs(
        tokenizer, "pop909:2,jsb:1", ("bass", "counter-melody", "harmony", "melody"),
        idiom_roles={"pop": ("counter-melody", "harmony", "melody"),
                     "chorale": ("bass", "counter-melody", "harmony", "melody")},
        idiom_corpora={"pop": "pop909", "chorale": "jsb"})
    (tmp_path / "tokenizer.json").write_text(json.dumps(mixed.to_dict()))
    card = read_card(tmp_path)
    assert (card.idiom_roles, card.idiom_corpora) == (mixed.idiom_roles, mixed.idiom_corpora)
    assert card.notes_source("chorale") == "jsb (bass, counter-melody, harmony, melody)"
    assert card.notes_source("waltz") == "pop909 (counter-melody, melody)"  # the band's piano
    assert card.notes_source("jig") == "no folk idiom: the arranger"
    old = read_card(SHIPPED)
    assert old.notes_source("chorale") == "pop909 (counter-melody, harmony, melody)"
    (tmp_path / "tokenizer.json").write_text("{not json")
    assert read_card(tmp_path) is None
