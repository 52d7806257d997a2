"""Executed notebooks keep one block per stream between other outputs, not one output per printed line."""

from tools.merge_streams import merged


def test_consecutive_lines_of_one_stream_become_one_output():
    line = lambda name, text: {"output_type": "stream", "name": name, "text": text}  # noqa: E731
    figure = {"output_type": "display_data", "data": {"text/plain": "<Figure>"}}
    outputs = [line("stdout", "epoch 1\n"), line("stdout", "epoch 2\n"), line("stderr", "warn\n"), figure]
    outputs += [line("stdout", "epoch 1\n")]
    assert merged(outputs) == [line("stdout", "epoch 1\nepoch 2\n"), line("stderr", "warn\n"), figure, outputs[-1]]
