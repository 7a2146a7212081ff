"""busybox wget's failures in a pod, as networking/wget.c words them.

``-T SEC`` arms an alarm around the connect: a connect that never answers ends with
``wget: download timed out`` after SEC seconds. Without ``-T`` the alarm is 900 s, so the
kernel's own connect timeout (SYN retries: 127 s) comes first: ``can't connect to remote host
(IP): Connection timed out``.
"""

from tests.core.network.test_busybox_nslookup import run_in_pod


def test_wget_with_a_timeout_to_a_port_nobody_answers_says_download_timed_out(net):
    net.backend("web", 1)
    log = run_in_pod(net, "busybox:1.36", "wget -q -T 2 -O- http://web:8081/; echo rc=$?")
    assert log == "wget: download timed out\nrc=1\n"


def test_wget_with_glued_timeout_flag_times_out_the_same_way(net):
    net.backend("web", 1)
    log = run_in_pod(net, "busybox:1.36", "wget -qT2 -O- http://web:8081/; echo rc=$?")
    assert log == "wget: download timed out\nrc=1\n"


def test_wget_without_a_timeout_gives_up_when_the_kernel_does(net):
    net.backend("web", 1)
    ip = net.client.get("services", "web", "default")["spec"]["clusterIP"]
    log = run_in_pod(net, "busybox:1.36", "wget -q -O- http://web:8081/; echo rc=$?", seconds=200)
    assert log == f"wget: can't connect to remote host ({ip}): Connection timed out\nrc=1\n"


def test_wget_without_a_timeout_is_still_waiting_before_the_kernel_gives_up(net):
    net.backend("web", 1)
    log = run_in_pod(net, "busybox:1.36", "wget -q -O- http://web:8081/; echo rc=$?", seconds=60)
    assert log == ""
