// Package main is the switchboard command. Switchboard is the service-desk
// daemon and its client, in one binary:
//
//	switchboard agent [--config config.toml] [--listen ADDR] [--data-dir DIR]
//	switchboard ticket create|show|list|transition|note|assign|escalate|watch ...
//	switchboard sla due|explain|replan|met ...
//	switchboard report sla --from DATE --to DATE ...
//	switchboard version
//
// The hidden `switchboard plugin NAME` serves a bundled department plugin;
// the agent starts it as a separate process.
package main
