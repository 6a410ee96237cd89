// Command concord is Concord's single binary: the server, the demo and the
// operator's tools. See "concord --help".
package main

import "concord/internal/cli"

func main() { cli.Execute() }
