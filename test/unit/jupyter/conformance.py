"""The jupyter_kernel_test conformance suite against the installed Gradscope kernelspec, plus the
interrupt, stdin, restart and shutdown behaviour that suite does not cover. Run by jupyter.test.ts
with /usr/bin/python3 and JUPYTER_PATH pointing at a kernelspec written by `gradscope kernel install`.
"""
import os
import time
import unittest
from queue import Empty

import jupyter_kernel_test as jkt
from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("GRADSCOPE_KERNEL_NAME", "gradscope")


class GradscopeKernelTests(jkt.KernelTests):
    kernel_name = KERNEL
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a' + 'b'", "result": "ab"},
        {"code": "const t = [1, 2, 3].map((v: number) => v * 2); t.length", "result": "3"},
    ]
    code_display_data = [
        {"code": "display('<b>hi</b>', 'text/html')", "mime": "text/html"},
        {"code": "display({ a: 1 }, 'application/json')", "mime": "application/json"},
    ]
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")
    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "JSON.str", "matches": {"stringify"}},
    ]
    complete_code_samples = ["const x = 1", "for (let i = 0; i < 3; i++) { console.log(i) }", "await Promise.resolve(1)"]
    incomplete_code_samples = ["for (let i = 0; i < 3; i++) {", "function f(a: number,", "const s = `abc"]
    invalid_code_samples = ["const = 5", "let x = ;"]
    code_inspect_sample = "Math.max"

    # The suite's history test searches for a pattern that must match >= 3 entries.
    def test_history(self):
        for s in self.code_execute_result:
            self.execute_helper(s["code"])
        super().test_history()


class GradscopeLifecycleTests(unittest.TestCase):
    """Interrupt, stdin, restart and shutdown against a fresh kernel."""

    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name=KERNEL)

    def tearDown(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=True)

    def reply_to(self, msg_id, timeout=60):
        while True:
            r = self.kc.get_shell_msg(timeout=timeout)
            if r["parent_header"].get("msg_id") == msg_id:
                return r

    def outputs_of(self, msg_id, timeout=60):
        outs = []
        while True:
            m = self.kc.get_iopub_msg(timeout=timeout)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return outs
            outs.append(m)

    def test_interrupt_sync_loop_keeps_variables(self):
        r = self.reply_to(self.kc.execute("let kept = 41; kept += 1"))
        self.assertEqual(r["content"]["status"], "ok")
        mid = self.kc.execute("while (true) {}")
        time.sleep(1.0)
        self.km.interrupt_kernel()
        r = self.reply_to(mid, timeout=20)
        self.assertEqual(r["content"]["status"], "error")
        self.assertEqual(r["content"]["ename"], "Interrupted")
        mid = self.kc.execute("kept")
        results = [m for m in self.outputs_of(mid) if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_interrupt_await(self):
        mid = self.kc.execute("await new Promise((r) => setTimeout(r, 60000))")
        time.sleep(1.0)
        self.km.interrupt_kernel()
        r = self.reply_to(mid, timeout=20)
        self.assertEqual(r["content"]["status"], "error")

    def test_stdin_prompt(self):
        mid = self.kc.execute("const answer = await prompt('name? '); `hi ${answer}`", allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=20)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["content"]["prompt"], "name? ")
        self.kc.input("Ada")
        results = [m for m in self.outputs_of(mid) if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "hi Ada")

    def test_prompt_without_stdin_fails_clearly(self):
        mid = self.kc.execute("await prompt('x')", allow_stdin=False)
        r = self.reply_to(mid)
        self.assertEqual(r["content"]["status"], "error")
        self.assertIn("cannot ask for input", r["content"]["evalue"])

    def test_stop_on_error_aborts_queued(self):
        first = self.kc.execute("throw new Error('first')")
        second = self.kc.execute("1")
        self.assertEqual(self.reply_to(first)["content"]["status"], "error")
        self.assertEqual(self.reply_to(second)["content"]["status"], "aborted")

    def test_restart_loses_variables_and_works(self):
        self.reply_to(self.kc.execute("var before = 1"))
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=30)
        r = self.reply_to(self.kc.execute("typeof before"))
        self.assertEqual(r["content"]["status"], "ok")
        r = self.reply_to(self.kc.execute("1 + 1"))
        self.assertEqual(r["content"]["execution_count"], 2)

    def test_shutdown_ends_the_process(self):
        self.kc.shutdown()
        reply = self.kc.get_control_msg(timeout=10)
        self.assertEqual(reply["msg_type"], "shutdown_reply")
        deadline = time.time() + 10
        while self.km.is_alive() and time.time() < deadline:
            time.sleep(0.1)
        self.assertFalse(self.km.is_alive())

    def test_bad_signature_is_dropped(self):
        # A message signed with another key gets no reply; the kernel keeps answering good ones.
        import zmq
        from jupyter_client.session import Session

        info = self.km.get_connection_info()
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.connect(f"{info['transport']}://{info['ip']}:{info['shell_port']}")
        try:
            Session(key=b"not-the-key").send(sock, "kernel_info_request", {})
            self.assertEqual(sock.poll(1500), 0, "the kernel answered a badly signed message")
            Session(key=info["key"]).send(sock, "kernel_info_request", {})
            self.assertNotEqual(sock.poll(10000), 0, "the kernel stopped answering after a bad message")
        finally:
            sock.close(linger=0)

if __name__ == "__main__":
    unittest.main(verbosity=2)
