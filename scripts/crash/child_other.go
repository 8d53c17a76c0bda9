//go:build !linux

package main

import "syscall"

// childAttr sets nothing outside Linux: there the harness's deferred kill is
// the only guard against a child outliving it.
func childAttr() *syscall.SysProcAttr { return nil }
