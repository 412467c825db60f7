"""No import circle inside ichtrain: every module's imports of the package's own modules (at the
top or inside a function, `from .x import`, `from . import x`, `from ichtrain.x import`,
`import ichtrain.x`) form a graph without a cycle."""
import ast
import os
import unittest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ichtrain")


def module_names():
    return sorted(f[:-3] for f in os.listdir(PACKAGE) if f.endswith(".py"))


def package_imports(source: str, modules) -> set:
    """The ichtrain modules a module's source imports, wherever the import statement stands."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or (node.level == 0 and (node.module or "").split(".")[0] == "ichtrain"):
                base = (node.module or "") if node.level == 1 else node.module[len("ichtrain"):].lstrip(".")
                if base:
                    found.add(base.split(".")[0])
                else:  # from . import a, b
                    found.update(a.name for a in node.names if a.name in modules)
            elif node.level > 1:
                raise AssertionError(f"relative import above the package: line {node.lineno}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "ichtrain" and len(parts) > 1:
                    found.add(parts[1])
    return found & set(modules)


def import_graph() -> dict:
    modules = module_names()
    graph = {}
    for m in modules:
        with open(os.path.join(PACKAGE, m + ".py")) as f:
            graph[m] = package_imports(f.read(), modules) - {m}
    return graph


def find_cycle(graph: dict):
    """A list of modules m0 -> m1 -> ... -> m0, or None."""
    state = {}  # absent: unvisited, 1: on the current path, 2: done
    path = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                c = visit(n)
                if c:
                    return c
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            c = visit(m)
            if c:
                return c
    return None


class ImportGraphTest(unittest.TestCase):
    def test_no_cycle_in_ichtrain(self):
        graph = import_graph()
        self.assertIn("data", graph)
        cycle = find_cycle(graph)
        self.assertIsNone(cycle, "import circle: " + " -> ".join(cycle or []))

    def test_parser_sees_every_import_form(self):
        src = ("from .a import x\nfrom . import b, notamodule\nfrom ichtrain.c import y\nimport ichtrain.d\n"
               "import numpy\nfrom os import path\n"
               "def f():\n    from .e import z\n")
        self.assertEqual(package_imports(src, ["a", "b", "c", "d", "e", "f"]), {"a", "b", "c", "d", "e"})

    def test_cycle_finder_finds_a_lazy_circle(self):
        # datasets -> train at the top, train -> datasets inside a function: the circle this test guards against
        graph = {"datasets": package_imports("from .train import prepare\n", ["train"]),
                 "train": package_imports("def load():\n    from .datasets import f\n", ["datasets"])}
        self.assertEqual(find_cycle(graph), ["datasets", "train", "datasets"])
        self.assertIsNone(find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}))

    def test_readers_and_preparation_sit_below_training(self):
        graph = import_graph()
        for low in ("config", "data", "datasets", "dicomseg", "evaluation"):
            self.assertNotIn("train", graph[low], f"{low} imports train")
        self.assertNotIn("pipeline", graph["evaluation"])


if __name__ == "__main__":
    unittest.main()
