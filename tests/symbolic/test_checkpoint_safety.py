"""Hostile checkpoints: refused with one clear line before anything is allocated or executed."""

from __future__ import annotations

import json
import pickle
import time

import pytest
import torch

from songform.symbolic.checkpoint import (
    CheckpointError,
    CheckpointInfo,
    load_checkpoint,
    read_info,
    save_checkpoint,
)
from songform.symbolic.model import ModelConfig, MusicTransformer


@pytest.fixture()
def folder(tmp_path):
    torch.manual_seed(0)
    model = MusicTransformer(ModelConfig(vocab_size=32, dim=16, depth=1, heads=2,
                                         position="relative", max_relative=8))
    return save_checkpoint(tmp_path / "ckpt", model, CheckpointInfo("test", 32))


def test_a_good_checkpoint_loads(folder):
    assert load_checkpoint(folder).config.dim == 16 and read_info(folder).scheme == "test"


class Boom:
    def __reduce__(self):
        return (print, ("this would have run",))


def test_a_pickle_named_safetensors_is_refused_by_name(folder, capsys):
    (folder / "model.safetensors").write_bytes(pickle.dumps({"w": Boom()}))
    with pytest.raises(CheckpointError, match="is a pickle, not safetensors; songform never "
                                              "unpickles"):
        load_checkpoint(folder)
    torch.save({"w": torch.zeros(2)}, folder / "model.safetensors")  # torch's zip pickle
    with pytest.raises(CheckpointError, match="is a pickle"):
        load_checkpoint(folder)
    assert "this would have run" not in capsys.readouterr().out


def test_a_safetensors_header_that_starts_like_pickle_protocol_5_loads(folder):
    """A header of 0x580 bytes writes ``80 05`` first, as a pickle would; it still loads."""
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    tensors = load_file(path)
    base = len(path.read_bytes()[8:8 + int.from_bytes(path.read_bytes()[:8], "little")])
    save_file(tensors, path, metadata={"pad": "x" * (0x580 - base - 10)})
    while int.from_bytes(path.read_bytes()[:8], "little") != 0x580:  # pad to the exact size
        length = int.from_bytes(path.read_bytes()[:8], "little")
        pad = len(json.loads(path.read_bytes()[8:8 + length])["__metadata__"]["pad"])
        save_file(tensors, path, metadata={"pad": "x" * (pad + 0x580 - length)})
    assert path.read_bytes()[:2] == b"\x80\x05"
    assert load_checkpoint(folder).config.dim == 16


@pytest.mark.parametrize("text,message", [
    ("not json", "config.json"),
    ("[1, 2]", "JSON object"),
    ('{"vocab_size": 32, "dim": 1000000000}', "dim must be an integer from 2 to 4096"),
    ('{"vocab_size": 32, "depth": 1000000}', "depth must be an integer from 1 to 64"),
    ('{"vocab_size": 32, "dim": "wide"}', "dim must be an integer"),
    ('{"vocab_size": 32, "heads": 3, "dim": 16}', "heads"),
    ('{"vocab_size": 65536, "dim": 4096, "depth": 64}', "parameters: at most"),
    ('{"vocab_size": 32, "colour": "red"}', "unknown model config fields"),
])
def test_hostile_configs_are_refused_before_allocation(folder, text, message):
    (folder / "config.json").write_text(text)
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(folder)
    assert time.perf_counter() - started < 1.0  # nothing of that size was built


def test_damaged_weights_and_a_mismatched_config_are_named(folder):
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "dim": 32}))
    with pytest.raises(CheckpointError, match="do not match config.json"):
        load_checkpoint(folder)
    (folder / "config.json").write_text(json.dumps(config))
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="damaged|not a safetensors"):
        load_checkpoint(folder)
    (folder / "model.safetensors").write_bytes(b"\xff" * 64)
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        load_checkpoint(folder)


@pytest.mark.parametrize("text", ["garbage", "[]", '{"scheme": 3}',
                                  '{"scheme": "REMI+programs+plan", "vocab_size": 831, '
                                  '"settings": {"beat_resolution": "x"}}'])
def test_a_garbage_tokenizer_json_is_one_clear_error(folder, text):
    (folder / "tokenizer.json").write_text(text)
    with pytest.raises(CheckpointError, match="tokenizer.json"):
        read_info(folder)


def _rewrite_header(path, change) -> None:
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    change(next(v for k, v in header.items() if k != "__metadata__"))
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + data[8 + length:])


@pytest.mark.parametrize("change, message", [
    (lambda entry: entry.update(shape=[1, 1]), "claims shape [1, 1]"),
    (lambda entry: entry.update(data_offsets=[0, 8]), "in 8 bytes"),
    (lambda entry: entry.update(dtype="Q99"), "is damaged"),
    (lambda entry: entry.update(shape=[-4, 2]), "is damaged"),
])
def test_a_header_that_lies_about_shapes_or_offsets_is_refused(folder, change, message):
    _rewrite_header(folder / "model.safetensors", change)
    with pytest.raises(CheckpointError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_checkpoint(folder)


def test_a_model_too_large_for_this_machines_memory_is_refused_before_allocation(
        folder, monkeypatch):
    import songform.symbolic.checkpoint as checkpoint

    built = []
    monkeypatch.setattr(checkpoint, "available_memory", lambda: 1000)
    monkeypatch.setattr(checkpoint, "MusicTransformer",
                        lambda config: built.append(torch.get_default_device()) or
                        MusicTransformer(config))
    with pytest.raises(CheckpointError, match="GiB to load; this machine has 0.0 GiB free"):
        load_checkpoint(folder)
    assert all(device.type == "meta" for device in built)  # only the shapes were built


def test_a_tokenizer_that_does_not_match_its_settings_is_refused(tmp_path):
    from songform.symbolic.tokenizer import SongTokenizer
    from songform.symbolic.writers import SongModel

    tokenizer = SongTokenizer()
    model = MusicTransformer(ModelConfig(vocab_size=len(tokenizer), dim=16, depth=1, heads=2,
                                         position="relative", max_relative=8))
    info = CheckpointInfo.for_songs(tokenizer)
    folder = save_checkpoint(tmp_path / "ckpt", model, info)
    (folder / "tokenizer.json").write_text(json.dumps({**info.to_dict(),
                                                       "vocab_size": info.vocab_size + 7}))
    with pytest.raises(CheckpointError, match="does not match its settings"):
        SongModel.load(folder)


def test_links_that_loop_are_one_clear_error(folder):
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to(folder / "loop.safetensors")
    (folder / "loop.safetensors").symlink_to(folder / "model.safetensors")
    with pytest.raises(CheckpointError, match="symbolic links"):
        load_checkpoint(folder)
