"""A first tinygrad computation: build a lazy expression, realize it, check it against numpy."""
# --8<-- [start:compute]
import numpy as np
from tinygrad import Tensor

a = Tensor([[1.0, 2.0], [3.0, 4.0]])
b = Tensor.ones(2, 2)
c = (a @ b + 1).relu()          # nothing has run yet: c is a graph of UOps
print("lazy:", c)
print("value:", c.tolist())     # tolist() realizes the graph: kernels compile and run
assert c.tolist() == [[4.0, 4.0], [8.0, 8.0]]
# --8<-- [end:compute]

# --8<-- [start:check]
expected = np.maximum(np.array([[1.0, 2.0], [3.0, 4.0]]) @ np.ones((2, 2)) + 1, 0)
assert np.allclose(c.numpy(), expected), (c.numpy(), expected)
print("matches numpy:", expected.tolist())
# --8<-- [end:check]
