#!/usr/bin/env python3
"""The alternative a Python user would write: FastAPI + uvicorn + PyTorch computing the loss.

POST /loss with the service's JSON body (cross_entropy with predictions [N, C], class-index
targets, include per_sample and gradient) answers value, per_sample and gradient, computed by
torch.nn.functional.cross_entropy with autograd in float64. Started by the benchmark with
uvicorn, uvloop, httptools and 2 workers (Debian's python3-fastapi, python3-uvicorn,
python3-uvloop, python3-httptools, python3-torch):

    /usr/bin/python3 -m uvicorn --app-dir load fastapi_peer:app --loop uvloop --http httptools --workers 2 --port PORT
"""
import torch
import torch.nn.functional as F
from fastapi import FastAPI, Request

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
