"""A client for the loss service: one file, Python's standard library and numpy. Copy it.

    from loss_client import LossClient
    client = LossClient("http://127.0.0.1:3000")                   # api_key="...", compression="gzip"
    answer = client.loss("mse", [1, 2, 3], [1, 2, 5], include=["gradient"])       # POST /loss (JSON)
    outputs = client.infer("cross_entropy", {"predictions": logits, "targets": labels},
                           parameters={"label_smoothing": 0.1})   # v2, binary tensors in and out
    outputs["gradient"]                                           # a numpy array, the logits' dtype

Requests can be compressed (`compression="gzip"` or `"deflate"`, as Triton's client sends them:
the Inference-Header-Content-Length of a binary request counts the uncompressed JSON header),
and answers are asked for compressed (Accept-Encoding) and decompressed here. A refusal raises
LossServiceError with the service's status and message.
"""
import json
import urllib.error
import urllib.request
import zlib

import numpy as np

__all__ = ["LossClient", "LossServiceError"]

# numpy dtype <-> Open Inference Protocol datatype.
_DATATYPES = {np.dtype(np.float32): "FP32", np.dtype(np.float64): "FP64", np.dtype(np.int32): "INT32",
              np.dtype(np.int64): "INT64", np.dtype(np.bool_): "BOOL"}
_DTYPES = {v: k for k, v in _DATATYPES.items()}


class LossServiceError(Exception):
    """The service refused a request: `status` is the HTTP status, `body` the decoded error body."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        message = body.get("detail") or body.get("error") if isinstance(body, dict) else str(body)
        super().__init__(f"{status}: {message}")


def _compress(data, algorithm):
    if algorithm is None:
        return data
    if algorithm == "gzip":
        return zlib.compress(data, wbits=31)  # gzip framing
    if algorithm == "deflate":
        return zlib.compress(data)  # zlib framing, as HTTP's "deflate" means
    raise ValueError(f"compression must be None, 'gzip' or 'deflate', not {algorithm!r}")


def _decompress(data, encoding):
    if encoding in (None, "", "identity"):
        return data
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(data, wbits=31)
    if encoding == "deflate":
        return zlib.decompress(data)
    raise LossServiceError(0, f"the service answered with Content-Encoding {encoding!r}, which this client does not read")


class LossClient:
    def __init__(self, url="http://127.0.0.1:3000", api_key=None, compression=None, timeout=60):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.compression = compression
        self.timeout = timeout

    # -- transport ------------------------------------------------------------------------

    def _request(self, method, path, body=None, headers=None):
        headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if body is not None and self.compression is not None:
            body = _compress(body, self.compression)
            headers["Content-Encoding"] = self.compression
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers, _decompress(response.read(), response.headers.get("Content-Encoding"))
        except urllib.error.HTTPError as err:
            raw = _decompress(err.read(), err.headers.get("Content-Encoding"))
            try:
                decoded = json.loads(raw)
            except ValueError:
                decoded = raw.decode(errors="replace")
            raise LossServiceError(err.code, decoded) from None

    def _json(self, method, path, payload=None):
        body = None if payload is None else json.dumps(payload).encode()
        _, raw = self._request(method, path, body, {"Content-Type": "application/json"} if body is not None else None)
        return json.loads(raw)

    # -- POST /loss -----------------------------------------------------------------------

    def loss(self, name, predictions, targets, params=None, reduction="mean", include=(), regularization=None):
        """POST /loss: the answer as a dict (value, denominator, per_sample, gradient, ...)."""
        body = {"loss": name, "predictions": np.asarray(predictions).tolist(), "targets": np.asarray(targets).tolist(),
                "reduction": reduction, "include": list(include)}
        if params:
            body["params"] = params
        if regularization is not None:
            body["regularization"] = regularization
        return self._json("POST", "/loss", body)

    def losses(self):
        """GET /losses: the catalog."""
        return self._json("GET", "/losses")["losses"]

    # -- the Open Inference Protocol ------------------------------------------------------

    def live(self):
        return self._json("GET", "/v2/health/live")["live"]

    def ready(self):
        try:
            return self._json("GET", "/v2/health/ready")["ready"]
        except LossServiceError as err:
            if err.status == 400:
                return False
            raise

    def model_metadata(self, model):
        return self._json("GET", f"/v2/models/{model}")

    def model_config(self, model):
        return self._json("GET", f"/v2/models/{model}/config")

    def infer(self, model, inputs, parameters=None, outputs=None, binary=True):
        """POST /v2/models/{model}/infer. `inputs` maps input names to arrays (their dtype gives
        the datatype: float32, float64, int32, int64, bool). With `binary` (default) the tensors go
        as binary data after the JSON header and come back the same way. Returns a dict of output
        name -> numpy array, plus the answer's `parameters` under the key "parameters"."""
        arrays = {name: np.ascontiguousarray(a) for name, a in inputs.items()}
        for name, a in arrays.items():
            if a.dtype not in _DATATYPES:
                raise TypeError(f"input {name!r}: dtype {a.dtype} has no protocol datatype; use one of {sorted(map(str, _DATATYPES))}")
        header = {"inputs": [], "parameters": dict(parameters or {})}
        chunks = []
        for name, a in arrays.items():
            entry = {"name": name, "shape": list(a.shape), "datatype": _DATATYPES[a.dtype]}
            if binary:
                data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()  # little-endian, row-major
                entry["parameters"] = {"binary_data_size": len(data)}
                chunks.append(data)
            else:
                entry["data"] = a.ravel().tolist()
            header["inputs"].append(entry)
        if outputs is not None:
            header["outputs"] = [{"name": o, "parameters": {"binary_data": binary}} for o in outputs]
        elif binary:
            header["parameters"]["binary_data_output"] = True
        head = json.dumps(header).encode()
        request_headers = {"Content-Type": "application/octet-stream" if binary else "application/json"}
        if binary:
            request_headers["Inference-Header-Content-Length"] = str(len(head))
        response_headers, raw = self._request("POST", f"/v2/models/{model}/infer", head + b"".join(chunks), request_headers)
        json_length = int(response_headers.get("Inference-Header-Content-Length") or len(raw))
        answer = json.loads(raw[:json_length])
        result, offset = {"parameters": answer.get("parameters", {})}, json_length
        for out in answer["outputs"]:
            dtype = _DTYPES[out["datatype"]].newbyteorder("<")
            size = out.get("parameters", {}).get("binary_data_size")
            if size is None:
                result[out["name"]] = np.array(out["data"], dtype=dtype).reshape(out["shape"])
            else:
                result[out["name"]] = np.frombuffer(raw, dtype=dtype, count=size // dtype.itemsize, offset=offset).reshape(out["shape"])
                offset += size
        return result
