"""The Jupyter project's kernel conformance suite (jupyter_kernel_test, Debian's python3-jupyter-kernel-test)
with Nabla samples. Passing it whole is the bar for the kernel (ARCHITECTURE.md).

Run by test/kernel/e2e.test.ts; by hand, with the kernelspec installed under a prefix:

    JUPYTER_PATH=/tmp/nb/share/jupyter /usr/bin/python3 test/kernel/conformance.py -v

Both languages it runs against (Nabla and test/kernel/fake-session.ts) have display, clear_output and
eprint, so every sample is set and no test of the suite is skipped for want of one.
"""

import unittest

import jupyter_kernel_test


class NablaConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "nabla"
    language_name = "nabla"
    file_extension = ".nabla"

    code_hello_world = 'print("hello, world")'
    completion_samples = [{"text": "pri", "matches": {"print"}}, {"text": "zer"}]
    complete_code_samples = ["x = 1", "print(x)", "fn f(a) = a + 1"]
    incomplete_code_samples = ["fn f(a) {", "print(1,", "y = [1, 2,"]
    invalid_code_samples = ["x = )"]
    code_generate_error = "undefined_name_xyz + 1"
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "zeros(2, 3)", "mime": "text/html"},
    ]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "zeros"
    code_display_data = [{"code": "display(zeros(2, 3))", "mime": "text/html"}]
    code_clear_output = "clear_output()"
    code_stderr = 'eprint("oops")'


if __name__ == "__main__":
    unittest.main()
