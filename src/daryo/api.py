"""The Python API that the CLI, the REST API and the dashboard all call."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .model import Model, load_model
from .network import compile_network
from .results import Results, build_dataset
from .simulate import RunOptions, simulate
from .simulate.fastpath import simulate_fast

__all__ = ["load", "run", "default_model_path", "RunOptions"]


def default_model_path() -> Path:
    """Path of the embedded default model."""
    return Path(str(resources.files("daryo") / "data" / "demo" / "demo.yaml"))


def load(path: str | Path | None = None) -> Model:
    """Load a model file (daryo YAML/JSON or Pywr JSON); ``None`` loads the embedded default.

    Raises
    ------
    daryo.ModelError
        Listing every problem with its file and place.
    """
    return load_model(path if path is not None else default_model_path())


def run(model: Model, options: RunOptions | None = None) -> Results:
    """Simulate ``model`` for all its scenarios; the model itself is not changed.

    Parameters
    ----------
    model
        A loaded model.
    options
        Scenario count and run span (see :class:`RunOptions`).
    """
    options = options or RunOptions()
    if options.start or options.end or options.years:
        model = model.with_time(options.start, options.end, options.years)
    n = options.scenarios
    if n is not None and not (1 <= n <= model.n_scenarios):
        raise ValueError(f"--scenarios {n}: the model has {model.n_scenarios} scenario trace(s)")
    if options.method not in ("auto", "fast", "plain"):
        raise ValueError(f"method '{options.method}': use auto, fast or plain")
    net = compile_network(model, n_scenarios=n)
    out = simulate(net) if options.method == "plain" else simulate_fast(net)
    return Results(build_dataset(net, out))
