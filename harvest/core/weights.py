"""Saving and loading networks; shipped weights are verified by SHA-256.

A weights file is a torch pickle of {"state_dict", "hidden", "layers",
"exit_visible", "meta"}; `exit_visible` records the encoding (161 or 210
inputs) and is False for files written before it existed; a network with a
reward side-channel also has "reward_channel" ("previous" or "next").
Shipped files live in harvest/weights/ (found through importlib.resources, so
an installed package finds them too) and are listed in SHA256SUMS there. Every
load of a file in that folder, by any command or function, is checked against
its sum; so is a file in its zoo/ folder (the detection benchmark's networks),
against zoo/SHA256SUMS.
"""
import hashlib
import os
import warnings
from importlib import resources
from pathlib import Path

import torch

from .dqn import make_net
from .encoding import spec_of
from .errors import HarvestError
from .files import replacing, write_text

# HARVEST_WEIGHTS_DIR lets tests and experiments use another folder without touching the shipped files.
WEIGHTS_DIR = Path(os.environ.get("HARVEST_WEIGHTS_DIR") or str(resources.files("harvest") / "weights"))
SUMS = WEIGHTS_DIR / "SHA256SUMS"
SHIPPED_SUBFOLDERS = ("zoo", "reference")   # the zoo's networks and the clean reference set, each with SHA256SUMS
MAX_HIDDEN, MAX_LAYERS = 4096, 16   # a weights file claiming more is refused before anything is allocated


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save(net, path, half=False, **meta):
    """Write `net` and `meta` to `path`. `half` stores the weights in float16, half the bytes (`load` reads them back
    as float32); the zoo's networks are stored so."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() for k, v in net.state_dict().items()} if half else net.state_dict()
    blob = {"state_dict": state, "hidden": net.hidden, "layers": net.layers, "meta": meta}
    spec = spec_of(net)   # what the network reads: recorded only where it is not the plain input, so the shipped
    if spec.exit_visible:  # 161-input files stay byte-identical
        blob["exit_visible"] = True
    if spec.reward_channel != "none":
        blob["reward_channel"] = spec.reward_channel
    with replacing(path) as tmp:   # atomically, and byte for byte what torch.save(blob, path) writes
        torch.save(blob, tmp)
    return path


def shipped_sum(path):
    """The SHA256SUMS entry for `path` when it is a file in the shipped folder, its zoo/ or its reference/ (each
    folder has its own SHA256SUMS), else None. A shipped file is never read unchecked: a missing SHA256SUMS or a
    file without its line is a HarvestError."""
    path = Path(path).resolve()
    folder = next((f for f in (WEIGHTS_DIR, *(WEIGHTS_DIR / sub for sub in SHIPPED_SUBFOLDERS))
                   if path.parent == f.resolve()), None)
    if folder is None:
        return None
    where = "harvest/weights/" + (f"{folder.name}/" if folder != WEIGHTS_DIR else "")
    if not (folder / "SHA256SUMS").is_file():
        raise HarvestError(f"{where}SHA256SUMS is missing, so {where}{path.name} cannot be checked: restore it with "
                           f"`git checkout {where}SHA256SUMS` (or reinstall harvest)")
    digest = checksums(folder).get(path.name)
    if digest is None:
        raise HarvestError(f"{where}{path.name} has no line in {where}SHA256SUMS, so it cannot be checked: a shipped "
                           "file loads only with its checksum")
    return digest


def load(path, expect_sha256=None):
    """A QNet from a weights file; raises HarvestError on any problem.

    A file in the shipped folder is always checked against SHA256SUMS.
    """
    path = Path(path)
    if not path.is_file():
        raise HarvestError(f"weights file not found: {path}")
    shipped = shipped_sum(path)
    expect_sha256 = expect_sha256 or shipped
    if expect_sha256 is not None and sha256(path) != expect_sha256:
        if shipped is not None:
            name = path.resolve().relative_to(WEIGHTS_DIR.resolve()).as_posix()   # agent.pt or zoo/NAME.pt
            raise HarvestError(f"checksum mismatch: harvest/weights/{name} differs from its SHA256SUMS entry; "
                               f"restore it with `git checkout harvest/weights/{name}` (or reinstall harvest)")
        raise HarvestError(f"checksum mismatch for {path}: the file is corrupt or was changed")
    try:
        with warnings.catch_warnings():   # torch's warnings about odd files would be extra lines before ours
            warnings.simplefilter("ignore")
            blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # torch raises many types for files that are not a plain tensor archive
        raise HarvestError(f"{path} is not a weights file (write one with `harvest train`)") from None
    if not isinstance(blob, dict):   # a bare tensor, a list: a torch file, but not one of ours
        raise HarvestError(f"{path} is not a weights file (write one with `harvest train`)")
    if not {"state_dict", "hidden", "layers"} <= set(blob):
        raise HarvestError(f"{path} does not hold weights of this architecture (no state_dict, hidden and layers)")
    hidden, layers = blob["hidden"], blob["layers"]
    sized = lambda value, most: isinstance(value, int) and 1 <= value <= most
    if not (sized(hidden, MAX_HIDDEN) and sized(layers, MAX_LAYERS)):
        raise HarvestError(f"{path} claims a network of {layers!r} hidden layers of {hidden!r}: this project's "
                           f"networks have 1-{MAX_LAYERS} layers of 1-{MAX_HIDDEN}")
    try:
        net = make_net(hidden, layers, exit_visible=blob.get("exit_visible", False),
                       reward_channel=blob.get("reward_channel", "none"))
        net.load_state_dict(blob["state_dict"])
    except Exception as err:  # torch raises many types for foreign files; all mean "not ours"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise HarvestError(f"{path} does not hold weights of this architecture ({first})") from None
    if not all(torch.isfinite(p).all() for p in net.parameters()):
        raise HarvestError(f"{path} holds weights that are not finite numbers (NaN or infinity)")
    return net


def read_meta(path):
    """The metadata a weights file was saved with (`save(net, path, **meta)`); {} when it has none."""
    try:
        return dict(torch.load(path, map_location="cpu", weights_only=True).get("meta") or {})
    except Exception:  # as in `load`: anything unreadable is not ours
        raise HarvestError(f"{path} is not a weights file (write one with `harvest train`)") from None


def read_sums(path):
    """{file name: sha256} from a SHA256SUMS file (`<64 hex digits>  <name>` per line, as sha256sum writes);
    a one-line HarvestError naming the file and the line for anything else."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise HarvestError(f"checksum file {path} cannot be read ({type(err).__name__})") from None
    sums = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split()
        digest, name = (fields[0].lower(), fields[1].lstrip("*")) if len(fields) == 2 else ("", "")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or not name or "/" in name:
            raise HarvestError(f"checksum file {path}, line {number}: expected '<64 hex digits>  <file name>', "
                               f"got {line.strip()[:60]!r}")
        if name in sums:
            raise HarvestError(f"checksum file {path}, line {number}: {name} is listed twice")
        sums[name] = digest
    return sums


def write_sums(folder, sums):
    """Write `folder`/SHA256SUMS for {file name: sha256}, atomically, in sha256sum's format."""
    return write_text(Path(folder) / "SHA256SUMS", "".join(f"{d}  {n}\n" for n, d in sorted(sums.items())))


def checksums(folder=None):
    """{file name: sha256} from harvest/weights/SHA256SUMS, or from `folder`'s SHA256SUMS; {} when there is none."""
    sums = SUMS if folder is None else Path(folder) / "SHA256SUMS"
    return read_sums(sums) if sums.is_file() else {}


def load_shipped(name="shipped_init.pt"):
    """A network shipped in harvest/weights/, verified against SHA256SUMS."""
    digest = checksums().get(name)
    if digest is None or not (WEIGHTS_DIR / name).is_file():
        raise HarvestError(f"shipped weights {name!r} are missing from {WEIGHTS_DIR} or from its SHA256SUMS: "
                          "restore them with `git checkout harvest/weights/`")
    return load(WEIGHTS_DIR / name, expect_sha256=digest)


def ship(net, name="shipped_init.pt", **meta):
    """Save `net` into harvest/weights/ and record its checksum."""
    path = save(net, WEIGHTS_DIR / name, **meta)
    write_sums(WEIGHTS_DIR, {**checksums(), name: sha256(path)})
    return path
