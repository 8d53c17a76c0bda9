package main

import "syscall"

// childAttr puts the server in its own process group, so that a ^C at the
// terminal reaches only the harness (which then kills the child itself), and
// asks the kernel to SIGKILL it should the harness die without cleaning up.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
