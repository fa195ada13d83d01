"""corridor_router: multimodal freight route planning for Central and South Asia's corridors."""

from importlib.metadata import PackageNotFoundError, version

from .batch import RouteBatch, alternatives, route_many, route_matrix
from .calibration import calibration, calibration_summary
from .claims import ClaimCheck, check_claim
from .compare import compare, compare_routes
from .convert import graph_from_gdfs, graph_to_gdfs, to_networkx
from .disruption import criticality, criticality_many
from .errors import (
    CorridorRouterError,
    DataProblem,
    InputTypeError,
    InvalidInputError,
    NetworkDataError,
    NoRouteError,
    PlaceNotFoundError,
    ScenarioError,
    ScenarioTypeError,
)
from .maps import explore
from .network import Corridor, Network, bundled_networks, load_network
from .options import RouteOptions
from .router import Router
from .routing import Route, route
from .scenarios import Scenario
from .simulate import Simulation, simulate
from .sweep import sweep

try:
    __version__ = version("corridor_router")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ClaimCheck",
    "Corridor",
    "CorridorRouterError",
    "DataProblem",
    "InputTypeError",
    "InvalidInputError",
    "Network",
    "NetworkDataError",
    "NoRouteError",
    "PlaceNotFoundError",
    "Route",
    "RouteBatch",
    "RouteOptions",
    "Router",
    "Scenario",
    "ScenarioError",
    "ScenarioTypeError",
    "Simulation",
    "__version__",
    "alternatives",
    "bundled_networks",
    "calibration",
    "calibration_summary",
    "check_claim",
    "compare",
    "compare_routes",
    "criticality",
    "criticality_many",
    "explore",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_network",
    "route",
    "route_many",
    "route_matrix",
    "simulate",
    "sweep",
    "to_networkx",
]
