"""``python -m app.embedding``: prepare all-mpnet-base-v2 where gm-infra is not installed
(instances get the app package only); prints the summary as JSON."""

from __future__ import annotations

import json
import logging

from app.embedding.prepare import prepare, summary

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(summary(prepare())))
