#!/usr/bin/env python3
"""The alternative a Python user would write: FastAPI + uvicorn + PyTorch computing the loss.

POST /loss with the service's JSON body (cross_entropy with predictions [N, C], class-index
targets, include per_sample and gradient) answers value, per_sample and gradient, computed by
torch.nn.functional.cross_entropy with autograd in float64 (P1).

POST /v2/models/{loss}/infer takes the same bytes the service's binary v2 route takes (a JSON
header of Inference-Header-Content-Length bytes, then the tensors' raw little-endian bytes) and
answers value and gradient the same way, computed by PyTorch in the predictions' dtype (P2).
Started by the benchmark with
uvicorn, uvloop, httptools and 2 workers (Debian's python3-fastapi, python3-uvicorn,
python3-uvloop, python3-httptools, python3-torch):

    /usr/bin/python3 -m uvicorn --app-dir load fastapi_peer:app --loop uvloop --http httptools --workers 2 --port PORT
"""
import json

import numpy as np
import torch
import torch.nn.functional as F
from fastapi import FastAPI, Request, Response

torch.set_num_threads(1)
app = FastAPI()


@app.post("/loss")
async def loss(request: Request):
    body = await request.json()
    x = torch.tensor(body["predictions"], dtype=torch.float64, requires_grad=True)
    t = torch.tensor(body["targets"], dtype=torch.int64)
    per_sample = F.cross_entropy(x, t, reduction="none")
    value = per_sample.mean()
    value.backward()
    return {"loss": "cross_entropy", "reduction": "mean", "value": value.item(), "per_sample": per_sample.tolist(), "gradient": x.grad.tolist()}


DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32}
LOSSES = {"cross_entropy": F.cross_entropy, "mse": F.mse_loss, "bce_with_logits": F.binary_cross_entropy_with_logits}


@app.post("/v2/models/{loss}/infer")
async def infer(loss: str, request: Request):
    body = await request.body()
    length = int(request.headers["inference-header-content-length"])
    header = json.loads(body[:length])
    tensors, offset = {}, length
    for t in header["inputs"]:
        size = t["parameters"]["binary_data_size"]
        tensors[t["name"]] = torch.from_numpy(np.frombuffer(body, dtype=DTYPES[t["datatype"]], count=size // np.dtype(DTYPES[t["datatype"]]).itemsize, offset=offset).reshape(t["shape"]).copy())
        offset += size
    x = tensors["predictions"].requires_grad_()
    t = tensors["targets"]
    value = LOSSES[loss](x, t if not t.is_floating_point() else t.to(x.dtype))
    value.backward()
    v = value.detach().reshape(1).numpy().tobytes()
    g = x.grad.numpy().tobytes()
    dtype = "FP32" if x.dtype == torch.float32 else "FP64"
    out = json.dumps({"model_name": loss, "model_version": "1", "outputs": [
        {"name": "value", "shape": [1], "datatype": dtype, "parameters": {"binary_data_size": len(v)}},
        {"name": "gradient", "shape": list(x.shape), "datatype": dtype, "parameters": {"binary_data_size": len(g)}},
    ]}).encode()
    return Response(content=out + v + g, media_type="application/octet-stream", headers={"inference-header-content-length": str(len(out))})
