"""The bottom layer every other folder may import: atomic file writes and the project's base
error. It imports nothing of ours and nothing heavy."""
