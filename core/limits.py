"""Every limit songform enforces before work starts, in one place (the README lists them).

Each guards memory or time against hostile or mistaken input: a form string that expands to
millions of bars, a YAML bomb, a MIDI file that claims days of music, a checkpoint config that
would allocate terabytes."""

from __future__ import annotations

# songs and templates
MAX_BARS = 1024            # bars in one song, counted after phrases expand
MAX_SECTIONS = 256         # sections in one song
MAX_PHRASES = 1024         # phrases in one song
MAX_DIGITS = 4             # digits in a count in a form string or template (bars, repeats)
MAX_SONGS = 10_000         # songs one `generate --count` run writes
MAX_TRACKS = 16            # instruments in one song (MIDI has 16 channels)
TEMPO_RANGE = (20.0, 320.0)  # beats per minute, in the meter's beat
PLAN_TEMPO_RANGE = (10.0, 400.0)  # a plan read from a file or analysed from MIDI
SWING_RANGE = (0.5, 0.75)    # where the off-beat eighth falls: straight .. a hard shuffle
SEED_RANGE = (0, 2 ** 32 - 1)  # seeds (numpy's and torch's generators take every one)
MAX_BAR_QUARTERS = 128       # quarter notes in one bar (32/1, the longest meter)

# template files
MAX_TEMPLATE_BYTES = 1_000_000  # a YAML template file
MAX_YAML_DEPTH = 32             # nesting of mappings and lists
MAX_YAML_ALIASES = 100          # anchors referenced (a billion-laughs file has thousands)
MAX_YAML_NODES = 100_000        # nodes the document expands to through its aliases

# MIDI input (render, eval, data)
MAX_MIDI_BYTES = 32 * 1024 ** 2  # 32 MiB
MAX_MIDI_NOTES = 200_000
MAX_MIDI_MINUTES = 60.0          # from the first to the last event, at the file's tempi
MIDI_TEMPO_RANGE = (10.0, 1000.0)

# checkpoints (checked in config.json before anything is allocated)
MAX_MODEL_DIM = 4096
MAX_MODEL_DEPTH = 64
MAX_MODEL_HEADS = 64
MAX_VOCAB = 65_536
MAX_MODEL_POSITIONS = 65_536
MAX_MODEL_PARAMETERS = 500_000_000  # 2 GB in float32
