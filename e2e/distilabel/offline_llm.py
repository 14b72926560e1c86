"""Offline LLMs for the distilabel e2e tests: canned, deterministic text, no network, no model.

`CannedLLM` answers a chat with "Answer k: <last user message>" for k = 0..num_generations-1 (or the
same text every time when `repeat` is set, to exercise TextGenerationToArgilla's de-duplication).
`CannedJudge` answers an UltraFeedback rating prompt with one "Rating: r\\nRationale: …" section per
`<text i>` it finds in the prompt, r taken from `ratings` in turn.
"""

import re
from typing import Any, List

from distilabel.models.llms.base import LLM


def _last_user(messages) -> str:
    return next(m["content"] for m in reversed(messages) if m["role"] == "user")


def _output(texts: List[str]) -> dict:
    return {
        "generations": texts,
        "statistics": {"input_tokens": [0] * len(texts), "output_tokens": [len(t.split()) for t in texts]},
    }


class CannedLLM(LLM):
    repeat: bool = False

    @property
    def model_name(self) -> str:
        return "loam-e2e/canned"

    def generate(self, inputs: List[Any], num_generations: int = 1) -> List[dict]:
        outputs = []
        for messages in inputs:
            prompt = _last_user(messages)
            if self.repeat:
                outputs.append(_output([f"Always the same: {prompt}"] * num_generations))
            else:
                outputs.append(_output([f"Answer {k}: {prompt}" for k in range(num_generations)]))
        return outputs


class CannedJudge(LLM):
    ratings: List[int] = [4, 2, 5, 1]

    @property
    def model_name(self) -> str:
        return "loam-e2e/judge"

    def generate(self, inputs: List[Any], num_generations: int = 1) -> List[dict]:
        outputs = []
        for messages in inputs:
            # The template names each text "<text i>" (in its format section and again before the
            # text itself): the highest i is the number of generations being judged.
            n = max((int(i) for i in re.findall(r"<text (\d+)>", _last_user(messages))), default=0)
            sections = [
                f"#### Output for Text {i + 1}\nRating: {self.ratings[i % len(self.ratings)]}\n"
                f"Rationale: text {i + 1} is rated {self.ratings[i % len(self.ratings)]}."
                for i in range(n)
            ]
            outputs.append(_output(["\n\n".join(sections)] * num_generations))
        return outputs
