"""A client for the loss service: one file, Python's standard library and numpy. Copy it, or
install it: `pip install ./clients/python` (offline: add `--no-index --no-build-isolation`).

    from loss_client import LossClient
    client = LossClient("http://127.0.0.1:3000")                   # api_key="...", compression="gzip"
    answer = client.loss("mse", predictions=[1, 2, 3], targets=[1, 2, 5], include=["gradient"])
    answer["gradient"]                                            # a writable float64 numpy array
    client.loss("triplet_margin", anchor=a, positive=p, negative=n, params={"margin": 1.0})
    client.loss("gaussian_nll", predictions=mu, targets=y, var=var, include=["gradient"])
    answer["gradients"]["var"]                                    # one gradient per differentiable input
    client.loss("keras.binary_crossentropy", y_true=y, y_pred=p, sample_weight=w)
    outputs = client.infer("cross_entropy", {"predictions": logits, "targets": labels},
                           parameters={"label_smoothing": 0.1})   # v2, binary tensors in and out
    outputs["gradient"]                                           # a numpy array, the logits' dtype

Requests can be compressed (`compression="gzip"` or `"deflate"`, as Triton's client sends them:
the Inference-Header-Content-Length of a binary request counts the uncompressed JSON header),
and answers are asked for compressed (Accept-Encoding) and decompressed here. A refusal raises
LossServiceError with the problem's fields (status, code, detail, field, index, ...).
"""
import json
import urllib.error
import urllib.parse
import urllib.request
import zlib

import numpy as np

__all__ = ["LossClient", "LossServiceError"]

# numpy dtype <-> Open Inference Protocol datatype.
_DATATYPES = {np.dtype(np.float32): "FP32", np.dtype(np.float64): "FP64", np.dtype(np.int32): "INT32",
              np.dtype(np.int64): "INT64", np.dtype(np.bool_): "BOOL"}
_DTYPES = {v: k for k, v in _DATATYPES.items()}


class LossServiceError(Exception):
    """The service refused a request. `status` is the HTTP status and `body` the decoded error body;
    a problem document's fields are attributes too: `code` (the catalog's kind, e.g.
    "shape_mismatch"), `title`, `detail`, `field` (the input or parameter at fault), `index` (the
    first bad element, flat), `type` and `request_id` (None where the body has none; the v2 routes'
    {"error": ...} gives `detail` only)."""

    _FIELDS = ("type", "title", "code", "detail", "field", "index", "request_id")

    def __init__(self, status, body):
        self.status = status
        self.body = body
        problem = body if isinstance(body, dict) else {}
        for name in self._FIELDS:
            setattr(self, name, problem.get(name))
        if self.detail is None:
            self.detail = problem.get("error") if problem else str(body)
        where = f" ({self.field})" if self.field else ""
        super().__init__(f"{status}{where}: {self.detail}")


_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _json_tensor(value):
    """A tensor as nested lists for JSON, non-finite numbers as the strings "NaN", "Infinity" and
    "-Infinity" (JSON has no literal for them; /check reads them in `yours`, /loss names them)."""
    a = np.asarray(value)
    if a.dtype.kind not in "fc" or np.isfinite(a).all():
        return a.tolist()

    def plain(x):
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x if np.isfinite(x) else _NON_FINITE[str(x)]
    return plain(a.tolist())


def _array(nested):
    """A JSON tensor of the answer (nested lists, non-finite numbers as strings) as a float64 array."""
    return np.array(nested, dtype=np.float64)


def _path(name):
    """A model or loss name as one URL path segment (names hold dots; any character is quoted)."""
    return urllib.parse.quote(str(name), safe="")


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
        body = None if payload is None else json.dumps(payload, allow_nan=False).encode()
        _, raw = self._request(method, path, body, {"Content-Type": "application/json"} if body is not None else None)
        return json.loads(raw)

    # -- POST /loss -----------------------------------------------------------------------

    def loss(self, name, predictions=None, targets=None, /, *, params=None, reduction=None, include=(),
             regularization=None, **inputs):
        """POST /loss. The loss by any name the service knows ("mse", "MSELoss", "keras.losses.Huber"),
        its tensor inputs by name as keyword arguments (predictions/targets, which may also come
        first by position; anchor/positive/negative; var; input1/input2; log_probs, input_lengths,
        target_lengths; y_true/y_pred and sample_weight for keras.*): numpy arrays, lists or numbers.
        Returns the answer as a dict: `value` a float (None with reduction="none"), `per_sample`,
        `gradient` and `gradients` (input name -> gradient) as writable float64 numpy arrays."""
        if predictions is not None:
            inputs["predictions"] = predictions
        if targets is not None:
            inputs["targets"] = targets
        body = {"loss": name, **{key: _json_tensor(value) for key, value in inputs.items()}, "include": list(include)}
        if reduction is not None:
            body["reduction"] = reduction
        if params:
            body["params"] = params
        if regularization is not None:
            body["regularization"] = dict(regularization, parameters=_json_tensor(regularization["parameters"]))
        answer = self._json("POST", "/loss", body)
        for key in ("per_sample", "gradient"):
            if key in answer:
                answer[key] = _array(answer[key])
        if "gradients" in answer:
            answer["gradients"] = {key: _array(value) for key, value in answer["gradients"].items()}
        return answer

    def check(self, name, yours, tolerance=None, **request):
        """POST /check: does `yours` (value, per_sample, gradient or gradients, from your own loss
        code) match the named loss, and if not, which convention explains it? Takes loss()'s
        arguments by keyword; returns the answer as a dict (verdict, explanation, ...)."""
        def tensors(x):
            return {n: _json_tensor(v) for n, v in x.items()} if isinstance(x, dict) else _json_tensor(x)
        body = {"loss": name, "yours": {key: tensors(x) for key, x in yours.items()}}
        for key, value in request.items():
            body[key] = value if key in ("params", "reduction") else _json_tensor(value)
        if tolerance is not None:
            body["tolerance"] = tolerance
        return self._json("POST", "/check", body)

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
        return self._json("GET", f"/v2/models/{_path(model)}")

    def model_config(self, model):
        return self._json("GET", f"/v2/models/{_path(model)}/config")

    def infer(self, model, inputs, parameters=None, outputs=None, binary=True):
        """POST /v2/models/{model}/infer. `inputs` maps input names to arrays (their dtype gives
        the datatype: float32, float64, int32, int64, bool; strings as BYTES). With `binary` (default) the tensors go
        as binary data after the JSON header and come back the same way. Returns a dict of output
        name -> numpy array, plus the answer's `parameters` under the key "parameters"."""
        arrays = {name: np.ascontiguousarray(a) for name, a in inputs.items()}
        for name, a in arrays.items():
            if a.dtype.kind in "US":
                continue  # strings (scikit-learn's class labels): BYTES
            if a.dtype not in _DATATYPES:
                raise TypeError(f"input {name!r}: dtype {a.dtype} has no protocol datatype; use one of {sorted(map(str, _DATATYPES))}")
        header = {"inputs": [], "parameters": dict(parameters or {})}
        chunks = []
        for name, a in arrays.items():
            strings = a.dtype.kind in "US"
            entry = {"name": name, "shape": list(a.shape), "datatype": "BYTES" if strings else _DATATYPES[a.dtype]}
            if binary and strings:
                # The protocol's BYTES: each element a 4-byte little-endian length, then its UTF-8 bytes.
                data = b"".join(len(b).to_bytes(4, "little") + b for b in (str(v).encode() for v in a.ravel()))
                entry["parameters"] = {"binary_data_size": len(data)}
                chunks.append(data)
            elif binary:
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
        response_headers, raw = self._request("POST", f"/v2/models/{_path(model)}/infer", head + b"".join(chunks), request_headers)
        raw = bytearray(raw)  # the arrays below are views of it: writable, no copy
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
