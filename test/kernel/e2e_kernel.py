"""End-to-end tests of the Nabla kernel through Debian's jupyter_client, as a front end drives it.

Run by test/kernel/e2e.test.ts, which installs the kernelspec into a temporary prefix and sets JUPYTER_PATH;
by hand:

    node bin/nabla.mjs kernel install --prefix /tmp/nb
    JUPYTER_PATH=/tmp/nb/share/jupyter /usr/bin/python3 -m unittest -v test/kernel/e2e_kernel.py

The cells are Nabla (docs/language.md). NABLA_KERNEL_SESSION may point the kernel at another language module
(test/kernel/fake-session.ts speaks the same cells, display, plot, progress and input included).
"""

import json
import os
import queue
import signal
import tempfile
import time
import unittest

import jupyter_client
from jupyter_client.session import Session

TIMEOUT = 60
# The kernel's resident memory may grow by at most this much over 1,000 small cells (after 100 to warm up):
# enough for V8's heap to settle and for the history kept in memory, far below a leak of a cell's state per
# cell. The absolute bound covers Node, the worker with the language loaded, and the chart engine.
RSS_GROWTH_LIMIT_MB = 64
RSS_ABSOLUTE_LIMIT_MB = 600


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class KernelFixture:
    """One kernel process and a client, with helpers that collect a request's IOPub messages."""

    def __init__(self, key=None):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="nabla-kernel-", suffix=".log", delete=False)
        self.km = jupyter_client.KernelManager(kernel_name="nabla")
        if key is not None:
            self.km.session.key = key
        self.km.start_kernel(stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    @property
    def pid(self):
        return self.km.provisioner.pid

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def close(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=False)
        self.log.close()
        os.unlink(self.log.name)

    def iopub_for(self, msg_id, timeout=TIMEOUT):
        """IOPub messages of one request, from busy to idle."""
        msgs = []
        deadline = time.time() + timeout
        while True:
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            msgs.append(m)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return msgs

    def shell_reply(self, msg_id, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while True:
            m = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") == msg_id:
                return m

    def execute(self, code, **kw):
        """(reply content, IOPub messages between busy and idle)."""
        msg_id = self.kc.execute(code, **kw)
        reply = self.shell_reply(msg_id)
        return reply["content"], self.iopub_for(msg_id)

    def value(self, code):
        reply, msgs = self.execute(code)
        assert reply["status"] == "ok", reply
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        assert len(results) == 1, [m["msg_type"] for m in msgs]
        return results[0]["content"]["data"]["text/plain"]


def types(msgs):
    return [m["msg_type"] for m in msgs]


class NablaKernelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = KernelFixture()

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def setUp(self):
        # each test starts from a known binding (a restart in another test may have cleared it)
        reply, _ = self.k.execute("x = 41")
        self.assertEqual(reply["status"], "ok", reply)

    def test_kernel_info(self):
        msg_id = self.k.kc.kernel_info()
        reply = self.k.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["protocol_version"], "5.3")
        li = reply["language_info"]
        self.assertEqual(li["name"], "nabla")
        self.assertEqual(li["file_extension"], ".nabla")
        self.assertEqual(li["mimetype"], "text/x-nabla")
        for field in ("version", "codemirror_mode", "pygments_lexer"):
            self.assertTrue(li.get(field), field)
        self.assertTrue(reply["help_links"])
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "package.json")) as f:
            self.assertEqual(li["version"], json.load(f)["version"])

    def test_execute_keeps_state_and_counts(self):
        reply, msgs = self.k.execute("y = x + 1")
        n = reply["execution_count"]
        self.assertEqual(types(msgs), ["status", "execute_input", "status"])
        self.assertEqual(msgs[1]["content"]["execution_count"], n)
        self.assertEqual(self.k.value("y"), "42")
        reply, _ = self.k.execute("y")
        self.assertEqual(reply["execution_count"], n + 2)

    def test_print_streams_while_the_cell_runs(self):
        # "start" must reach the front end while the cell is still looping, before any reply exists
        msg_id = self.k.kc.execute('print("start")\nwhile true { }')
        seen = []
        while True:
            m = self.k.kc.get_iopub_msg(timeout=TIMEOUT)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            seen.append(m["msg_type"])
            if m["msg_type"] == "stream":
                self.assertEqual(m["content"], {"name": "stdout", "text": "start\n"})
                break
        self.assertEqual(seen, ["status", "execute_input", "stream"])
        with self.assertRaises(queue.Empty):
            self.k.kc.get_shell_msg(timeout=0.3)
        self.k.km.interrupt_kernel()
        self.assertEqual(self.k.shell_reply(msg_id)["content"]["status"], "error")
        self.k.iopub_for(msg_id)

    def test_interrupt_stops_an_endless_loop_within_2s(self):
        msg_id = self.k.kc.execute("while true { }")
        time.sleep(0.5)
        t0 = time.time()
        self.k.km.interrupt_kernel()
        reply = self.k.shell_reply(msg_id, timeout=10)["content"]
        elapsed = time.time() - t0
        self.assertLess(elapsed, 2.0)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "KeyboardInterrupt")
        msgs = self.k.iopub_for(msg_id)
        self.assertEqual(types(msgs), ["status", "execute_input", "error", "status"])
        self.assertTrue(self.k.km.is_alive())
        self.assertEqual(self.k.value("x"), "41")

    def test_interrupt_request_on_control_channel(self):
        msg_id = self.k.kc.execute("while true { }")
        time.sleep(0.3)
        # jupyter_client sends interrupt_request itself for interrupt_mode "message"; here by hand
        msg = self.k.kc.session.msg("interrupt_request", {})
        self.k.kc.control_channel.send(msg)
        ctl = self.k.kc.get_control_msg(timeout=10)
        self.assertEqual(ctl["msg_type"], "interrupt_reply")
        self.assertEqual(ctl["content"]["status"], "ok")
        self.assertEqual(self.k.shell_reply(msg_id, timeout=10)["content"]["ename"], "KeyboardInterrupt")
        self.k.iopub_for(msg_id)
        self.assertEqual(self.k.value("x"), "41")

    def test_error_then_recovery(self):
        reply, msgs = self.k.execute("y = undefined_name_xyz + 1")
        self.assertEqual(reply["status"], "error")
        # exactly one output for a failed cell: the error, not also a stderr copy
        self.assertEqual(types(msgs), ["status", "execute_input", "error", "status"])
        err = msgs[2]["content"]
        self.assertEqual(err["ename"], reply["ename"])
        self.assertIn("undefined_name_xyz", err["evalue"])
        tb = "\n".join(err["traceback"])
        self.assertIn("y = undefined_name_xyz + 1", tb)
        caret_line = [line for line in tb.split("\n") if line.strip() == "^"]
        self.assertTrue(caret_line, tb)
        self.assertEqual(self.k.value("x + 1"), "42")

    def test_stop_on_error_aborts_queued_cells(self):
        first = self.k.kc.execute("undefined_name_xyz")
        queued = [self.k.kc.execute("x = 100"), self.k.kc.execute("x")]
        self.assertEqual(self.k.shell_reply(first)["content"]["status"], "error")
        for q in queued:
            self.assertEqual(self.k.shell_reply(q)["content"]["status"], "aborted")
        for m in [first, *queued]:
            self.k.iopub_for(m)
        self.assertEqual(self.k.value("x"), "41")
        # stop_on_error=False runs what follows
        first = self.k.kc.execute("undefined_name_xyz", stop_on_error=False)
        after = self.k.kc.execute("x + 2")
        self.assertEqual(self.k.shell_reply(first)["content"]["status"], "error")
        self.assertEqual(self.k.shell_reply(after)["content"]["status"], "ok")
        self.k.iopub_for(first)
        self.k.iopub_for(after)

    def test_silent_execution_publishes_nothing(self):
        count = self.k.execute("x")[0]["execution_count"]
        reply, msgs = self.k.execute("print(x)\nx", silent=True)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(types(msgs), ["status", "status"])
        self.assertEqual(self.k.execute("x")[0]["execution_count"], count + 1)

    def test_display_data(self):
        reply, msgs = self.k.execute("display(zeros(2, 3))")
        self.assertEqual(reply["status"], "ok")
        shown = [m for m in msgs if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1)
        data = shown[0]["content"]["data"]
        self.assertIn("tensor(", data["text/plain"])
        self.assertIn("shape [2, 3]", data["text/html"])
        self.assertIn("float32", data["text/html"])

    def test_tensor_result_has_html_table(self):
        reply, msgs = self.k.execute("zeros(2, 3)")
        data = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertTrue(data["text/plain"].startswith("tensor("))
        self.assertIn("<table", data["text/html"])
        self.assertIn("shape [2, 3]", data["text/html"])

    def test_plot_has_vegalite_and_svg(self):
        reply, msgs = self.k.execute("plot([1, 2, 3], [1, 4, 9])")
        self.assertEqual(reply["status"], "ok", reply)
        data = [m for m in msgs if m["msg_type"] == "display_data"][0]["content"]["data"]
        self.assertEqual(data["application/vnd.vegalite.v5+json"]["data"]["values"][2]["y"], 9)
        self.assertTrue(data["image/svg+xml"].startswith("<svg"))

    def test_progress_updates_in_place(self):
        reply, msgs = self.k.execute("for i in progress(range(3)) { }")
        self.assertEqual(reply["status"], "ok", reply)
        first = [m for m in msgs if m["msg_type"] == "display_data"]
        updates = [m for m in msgs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(first), 1)
        self.assertGreaterEqual(len(updates), 1)
        display_id = first[0]["content"]["transient"]["display_id"]
        self.assertTrue(all(u["content"]["transient"]["display_id"] == display_id for u in updates))
        self.assertIn("3/3", updates[-1]["content"]["data"]["text/plain"])

    def test_stdin_input(self):
        prompts = []

        def answer(msg):
            prompts.append(msg["content"]["prompt"])
            self.k.kc.input("Ada")

        reply = self.k.kc.execute_interactive('name = input("who? ")', allow_stdin=True, stdin_hook=answer, timeout=TIMEOUT, output_hook=lambda m: None)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual(prompts, ["who? "])
        self.assertEqual(self.k.value("name"), '"Ada"')
        # a front end that cannot answer gets an error, not a hang
        reply, _ = self.k.execute('input("again? ")', allow_stdin=False)
        self.assertEqual(reply["status"], "error")

    def test_complete(self):
        self.k.execute("my_value = 1")
        msg_id = self.k.kc.complete("my_v", 4)
        reply = self.k.shell_reply(msg_id)["content"]
        self.assertEqual(reply["status"], "ok")
        self.assertIn("my_value", reply["matches"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (0, 4))
        # cursor positions count code points: the emoji is one, though two UTF-16 units and four UTF-8 bytes
        code = 'print("😀") ; zer'
        msg_id = self.k.kc.complete(code, len(code))
        reply = self.k.shell_reply(msg_id)["content"]
        self.assertIn("zeros", reply["matches"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (len(code) - 3, len(code)))

    def test_inspect(self):
        for detail in (0, 1):
            msg_id = self.k.kc.inspect("zeros(2, 3)", 3, detail_level=detail)
            reply = self.k.shell_reply(msg_id)["content"]
            self.assertEqual(reply["status"], "ok")
            self.assertTrue(reply["found"])
            self.assertIn("zeros", reply["data"]["text/plain"])
        msg_id = self.k.kc.inspect("no_such_name_here", 5)
        self.assertFalse(self.k.shell_reply(msg_id)["content"]["found"])

    def test_is_complete(self):
        samples = {
            "complete": ["x = 1", "print(x)", "fn f(a) = a + 1"],
            "incomplete": ["fn f(a) {", "print(1,", "y = [1, 2,"],
            "invalid": ["x = )"],
        }
        for status, codes in samples.items():
            for code in codes:
                msg_id = self.k.kc.is_complete(code)
                reply = self.k.shell_reply(msg_id)["content"]
                self.assertEqual(reply["status"], status, code)
                if status == "incomplete":
                    self.assertIn("indent", reply)
        msg_id = self.k.kc.is_complete("fn f(a) {")
        self.assertEqual(self.k.shell_reply(msg_id)["content"]["indent"], "  ")

    def test_history(self):
        self.k.execute("x + 1000")
        msg_id = self.k.kc.history(hist_access_type="tail", n=2, output=True, raw=True)
        hist = self.k.shell_reply(msg_id)["content"]["history"]
        self.assertEqual(len(hist), 2)
        self.assertEqual(hist[-1][2], ["x + 1000", "1041"])
        session, line = hist[-1][0], hist[-1][1]
        msg_id = self.k.kc.history(hist_access_type="range", session=session, start=line, stop=line + 1, output=False, raw=True)
        self.assertEqual(self.k.shell_reply(msg_id)["content"]["history"], [[session, line, "x + 1000"]])

    def test_comm_info(self):
        msg_id = self.k.kc.comm_info()
        reply = self.k.shell_reply(msg_id)
        self.assertEqual(reply["msg_type"], "comm_info_reply")
        self.assertEqual(reply["content"], {"status": "ok", "comms": {}})

    def test_bad_hmac_is_rejected_and_not_run(self):
        forged = Session(key=b"not-the-kernel-key", username=self.k.kc.session.username, session=self.k.kc.session.session)
        forged.send(self.k.kc.shell_channel.socket, "execute_request", {"code": "x = 666", "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        with self.assertRaises(queue.Empty):
            self.k.kc.get_shell_msg(timeout=1.0)
        self.assertEqual(self.k.value("x"), "41")
        self.assertIn("invalid HMAC signature", self.k.log_text())

    def test_load_1000_cells_memory_bounded(self):
        self.k.execute("n = 0")
        for _ in range(100):
            self.k.execute("n = n + 1")
        before = rss_mb(self.k.pid)
        t0 = time.time()
        for _ in range(1000):
            reply, _ = self.k.execute("n = n + 1")
            self.assertEqual(reply["status"], "ok")
        elapsed = time.time() - t0
        after = rss_mb(self.k.pid)
        self.assertEqual(self.k.value("n"), "1100")
        print(f"\n  1,000 cells in {elapsed:.1f} s; kernel RSS {before:.0f} MB -> {after:.0f} MB", flush=True)
        self.assertLess(after - before, RSS_GROWTH_LIMIT_MB)
        self.assertLess(after, RSS_ABSOLUTE_LIMIT_MB)

    def test_sigint_while_idle_is_harmless(self):
        os.kill(self.k.pid, signal.SIGINT)
        time.sleep(0.2)
        self.assertTrue(self.k.km.is_alive())
        self.assertEqual(self.k.value("x"), "41")


class RestartAndShutdownTest(unittest.TestCase):
    def test_restart_gives_a_fresh_kernel(self):
        k = KernelFixture()
        try:
            k.execute("z = 5")
            old = k.pid
            k.km.restart_kernel(now=False)
            k.kc.wait_for_ready(timeout=TIMEOUT)
            self.assertNotEqual(k.pid, old)
            reply, _ = k.execute("z")
            self.assertEqual(reply["status"], "error")
            self.assertEqual(k.value("1 + 2"), "3")
        finally:
            k.close()

    def test_shutdown_request_ends_the_process(self):
        k = KernelFixture()
        try:
            proc = k.km.provisioner.process
            msg_id = k.kc.shutdown()
            reply = k.kc.get_control_msg(timeout=TIMEOUT)
            self.assertEqual(reply["content"], {"status": "ok", "restart": False})
            deadline = time.time() + 5
            while proc.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(proc.poll(), 0, "the kernel did not exit by itself after shutdown_request")
        finally:
            k.close()

    def test_empty_key_means_unsigned_messages(self):
        k = KernelFixture(key=b"")
        try:
            self.assertEqual(k.value("1 + 2"), "3")
        finally:
            k.close()


class CrashRecoveryTest(unittest.TestCase):
    """Needs test/kernel/fake-session.ts: the real language has no way to kill its own interpreter."""

    def test_worker_death_is_reported_and_survived(self):
        if "fake-session" not in os.environ.get("NABLA_KERNEL_SESSION", ""):
            self.skipTest("needs the fake session's crash()")
        k = KernelFixture()
        try:
            k.execute("x = 1")
            reply, msgs = k.execute("crash()")
            self.assertEqual(reply["status"], "error")
            self.assertEqual(reply["ename"], "InterpreterDied")
            self.assertIn("all variables", reply["evalue"])
            self.assertEqual(types(msgs), ["status", "execute_input", "error", "status"])
            self.assertEqual(k.execute("x")[0]["status"], "error")
            self.assertEqual(k.value("1 + 2"), "3")
        finally:
            k.close()


if __name__ == "__main__":
    unittest.main()
