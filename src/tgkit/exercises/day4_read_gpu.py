"""Day 4, Pathway B: a GPU runtime read on paper, the pieces named."""
from tinygrad.renderer.cstyle import CStyleLanguage
from tinygrad.runtime.ops_amd import AMDComputeQueue
from tinygrad.runtime.ops_cuda import CUDADevice, CUDAProgram
from tinygrad.runtime.support.compiler_cuda import PTXCompiler
from tinygrad.runtime.support.hcq import HCQCompiled

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "CUDA_LAUNCH": ("Which method passes tinygrad's global and local sizes to cuLaunchKernel?", CUDAProgram.__call__,
                  "tinygrad/runtime/ops_cuda.py: a program is called with its buffers and sizes; loading it is a different method."),
  "CUDA_WAIT": ("Which method waits for everything queued on one CUDA device and frees the pinned buffers of earlier copies?",
                CUDADevice.synchronize, "tinygrad/runtime/ops_cuda.py: look for cuCtxSynchronize."),
  "PTX_ARCH": ("Which compiler only writes the architecture and the PTX version into the PTX text, with no NVIDIA library?",
               PTXCompiler, "tinygrad/runtime/support/compiler_cuda.py: the compiler whose compile() is a string replace."),
  "AMD_DISPATCH": ("Which method writes the PM4 DISPATCH_DIRECT packet that launches a kernel on an AMD GPU?", AMDComputeQueue.exec,
                   "tinygrad/runtime/ops_amd.py: a compute queue's method that takes the program, its arguments and the sizes."),
  "HCQ_WAIT": ("Which method do the NV and AMD devices wait in, until their timeline signal reaches the last value?",
               HCQCompiled.synchronize, "tinygrad/runtime/support/hcq.py: the base class of both devices."),
  "C_SIGNATURE": ("Which method writes a kernel's signature (kernel_typedef, buffers, extra_args) for CUDA, Metal and HIP alike?",
                  CStyleLanguage.render_kernel, "tinygrad/renderer/cstyle.py: the base class of the C-like renderers."),
}
EXERCISE = Exercise(
  id="d4-read-gpu", day=4, pathway="B", kind="reading", minutes=15,
  title="Name the parts of a GPU runtime",
  statement="""
Answer each question in your file as a string `"module:name"` (a method as `module:Class.method`). Read
`tinygrad/runtime/ops_cuda.py`, `tinygrad/runtime/ops_amd.py`, `tinygrad/runtime/support/hcq.py`,
`tinygrad/runtime/support/compiler_cuda.py` and `tinygrad/renderer/cstyle.py` in the installed package; no GPU is
needed, the checker resolves your answers in the installed tinygrad and compares them with the real objects.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "loading instead of launching, NVRTC instead of the PTX compiler":
      'CUDA_LAUNCH = "tinygrad.runtime.ops_cuda:CUDAProgram.__init__"\nCUDA_WAIT = "tinygrad.runtime.ops_cuda:CUDADevice.synchronize"\n'
      'PTX_ARCH = "tinygrad.runtime.support.compiler_cuda:NVRTCCompiler"\nAMD_DISPATCH = "tinygrad.runtime.ops_amd:AMDComputeQueue.exec"\n'
      'HCQ_WAIT = "tinygrad.runtime.support.hcq:HCQCompiled.synchronize"\nC_SIGNATURE = "tinygrad.renderer.cstyle:CStyleLanguage.render_kernel"\n',
    "NV's queue for AMD's, a renderer instead of their base class":
      'CUDA_LAUNCH = "tinygrad.runtime.ops_cuda:CUDAProgram.__call__"\nCUDA_WAIT = "tinygrad.runtime.ops_cuda:CUDADevice.synchronize"\n'
      'PTX_ARCH = "tinygrad.runtime.support.compiler_cuda:PTXCompiler"\nAMD_DISPATCH = "tinygrad.runtime.ops_nv:NVComputeQueue.exec"\n'
      'HCQ_WAIT = "tinygrad.runtime.support.hcq:HCQCompiled.synchronize"\nC_SIGNATURE = "tinygrad.renderer.cstyle:CUDARenderer.render_kernel"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
CUDA_LAUNCH = "tinygrad.runtime.ops_cuda:CUDAProgram.__call__"
CUDA_WAIT = "tinygrad.runtime.ops_cuda:CUDADevice.synchronize"
PTX_ARCH = "tinygrad.runtime.support.compiler_cuda:PTXCompiler"
AMD_DISPATCH = "tinygrad.runtime.ops_amd:AMDComputeQueue.exec"
HCQ_WAIT = "tinygrad.runtime.support.hcq:HCQCompiled.synchronize"
C_SIGNATURE = "tinygrad.renderer.cstyle:CStyleLanguage.render_kernel"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
