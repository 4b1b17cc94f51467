"""pulumi_aws's service packages, loaded one resource module at a time.

``import pulumi_aws.ec2`` runs a package ``__init__`` that imports every resource of the
service (about 180 modules and 2.6 MB of input and output types for ec2); the program uses a
dozen. That was most of an uncached plan's time (issue 23). ``install()`` replaces each
not-yet-loaded service package with a :class:`PartialPackage`, which finds an attribute in
its own module file (``Vpc`` in ``vpc.py``, ``GroupTagArgsDict`` in ``_inputs.py``) on first
use. A name it cannot place runs the package's real ``__init__`` into the same module, so
anything the generated package offers still works, only slower; ``full_loads()`` names the
packages that needed it (a test keeps that empty for the program).

The resource classes are pulumi_aws's own; only the order of loading changes. Resource
references are rehydrated through the modules pulumi_aws's top-level ``__init__`` registers,
which look classes up by name on the package, so they go through ``__getattr__`` too.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import re
import sys
import types
from pathlib import Path

import pulumi_aws

_PACKAGE = pulumi_aws.__name__
_full_loads: list[str] = []
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def module_file_stem(class_name: str) -> str:
    """pulumi's Python codegen names a resource's module after its class in snake case:
    ``SecurityGroupIngressRule`` -> ``security_group_ingress_rule``, ``BucketObjectv2`` ->
    ``bucket_objectv2``."""
    return _CAMEL_BOUNDARY.sub("_", class_name).lower()


def _candidate_stems(name: str) -> tuple[str, ...]:
    """The module files of a service package that may define ``name``, most likely first."""
    if name[0].islower() or name[0] == "_":
        # a submodule (outputs, _inputs), a function (get_parameter) or its Output form
        return (name, name.removesuffix("_output")) if name.endswith("_output") else (name,)
    if name.endswith(("Args", "ArgsDict")):
        return ("_inputs",)
    return (module_file_stem(name), "_enums")


class PartialPackage(types.ModuleType):
    """A pulumi_aws service package whose ``__init__`` has not run (see the module docstring)."""

    def __getattr__(self, name: str) -> object:
        # Only called for names not yet in the module's namespace.
        if name.startswith("__"):
            raise AttributeError(name)
        for stem in _candidate_stems(name):
            if (Path(self.__dict__["__path__"][0]) / f"{stem}.py").is_file():
                module = importlib.import_module(f"{self.__name__}.{stem}")
                # A function shares its module's name (get_parameter in get_parameter.py):
                # the name means the function, as the package's star imports make it.
                value = (
                    getattr(module, name, module) if stem == name else getattr(module, name, None)
                )
                if value is not None:
                    setattr(self, name, value)
                    return value
        return self._load_whole_package(name)

    def _load_whole_package(self, name: str) -> object:
        spec = self.__dict__.get("__spec__")
        if spec is None or self.__dict__.get("_gm_whole"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self.__dict__["_gm_whole"] = True
        _full_loads.append(f"{self.__name__}.{name}")
        assert spec.loader is not None
        spec.loader.exec_module(self)
        return getattr(self, name)


def install() -> None:
    """Make each of pulumi_aws's service packages (``ec2``, ``s3``…) that has not been
    loaded yet a partial package."""
    root = Path(pulumi_aws.__file__).parent
    for init in sorted(root.glob("*/__init__.py")):
        service = init.parent.name
        name = f"{_PACKAGE}.{service}"
        current = sys.modules.get(name)
        if current is not None and "_utilities" in current.__dict__:
            continue  # already imported whole: nothing to save
        spec = importlib.machinery.PathFinder.find_spec(name, list(pulumi_aws.__path__))
        if spec is None or spec.submodule_search_locations is None:
            raise ImportError(f"pulumi_aws has no service package {service!r}")
        package = PartialPackage(name)
        package.__spec__ = spec
        package.__path__ = list(spec.submodule_search_locations)
        package.__file__ = spec.origin
        package.__package__ = name
        package.__loader__ = spec.loader
        sys.modules[name] = package
        setattr(pulumi_aws, service, package)


def full_loads() -> tuple[str, ...]:
    """The service packages whose whole ``__init__`` had to run, in the order it happened."""
    return tuple(_full_loads)
