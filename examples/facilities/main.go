package main

import "github.com/switchboard-desk/switchboard/sdk"

func main() { sdk.Serve(New()) }
