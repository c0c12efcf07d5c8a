#!/usr/bin/python3
"""pydesk: a Switchboard department plugin written in Python.

It speaks the protocol of sdk/PROTOCOL.md by hand, with nothing but grpcio
and protobuf (Debian: python3-grpcio, python3-protobuf, python3-grpc-tools):

- the go-plugin handshake: the magic cookie in the environment, one line on
  stdout naming the gRPC address, logs on stderr as hclog JSON lines;
- the services go-plugin expects of a gRPC plugin: grpc.health.v1.Health
  (service "plugin"), plugin.GRPCBroker (to learn where the daemon serves the
  Host service) and plugin.GRPCController (Shutdown);
- the Department service of sdk/proto/departmentv1/department.proto.

What it does: it accepts every ticket, assigned to "Py Agent", and then
resolves it through the daemon's Host service (host.proto), from a
background thread, once the daemon has committed the acceptance.

The Python modules generated from the .proto files are not committed. The
plugin imports them from the directory named by SWITCHBOARD_PY_STUBS
(default: _stubs next to this file) and, when they are missing or older than
the .proto files, generates them there with grpc_tools.protoc from the
.proto files it finds in the repository layout (../../sdk/proto/departmentv1
and ./proto, relative to this file). A copy of the script run from elsewhere
needs SWITCHBOARD_PY_STUBS to name a directory of generated stubs; see
README.md.

Run it under the daemon with tls = false on its [[department]]: it does not
implement go-plugin's AutoMTLS.
"""

import datetime
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent import futures

MAGIC_COOKIE_KEY = "SWITCHBOARD_PLUGIN"
MAGIC_COOKIE_VALUE = "department"
CORE_PROTOCOL_VERSION = 1  # go-plugin's own protocol
APP_PROTOCOL_VERSION = 1  # sdk.ProtocolVersion

# The trailer by which the plugin marks an error as its own (sdk/errors.go).
PLUGIN_ERROR_TRAILER = "switchboard-plugin-error"

NAME = "pydesk"
VERSION = "0.1.0"
ASSIGNEE = "Py Agent"

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIRS = [
    os.path.join(HERE, "..", "..", "sdk", "proto", "departmentv1"),
    os.path.join(HERE, "proto"),
]
PROTO_FILES = [
    "department.proto",
    "host.proto",
    "grpc_broker.proto",
    "grpc_controller.proto",
    "health.proto",
]
STUB_MODULES = [f[: -len(".proto")] + s for f in PROTO_FILES for s in ("_pb2", "_pb2_grpc")]

# How long the resolver keeps trying while the daemon refuses the transition
# because it has not yet committed the acceptance, and how long Configure
# waits for the broker to say where the Host service is.
RESOLVE_PATIENCE = 10.0
BROKER_WAIT = 4.0
PARENT_POLL = 1.0


def log(level, message, **fields):
    """Writes one hclog JSON line to stderr; go-plugin parses it into the
    daemon's log at that level, with the fields as key/value pairs."""
    now = datetime.datetime.now(datetime.timezone.utc)
    entry = {
        "@level": level,
        "@message": message,
        "@timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
    }
    entry.update(fields)
    sys.stderr.write(json.dumps(entry, default=str) + "\n")
    sys.stderr.flush()


def fail(message):
    """Logs message as an error and exits with status 1. Under the daemon
    (the magic cookie is set) it is an hclog line, so that the daemon's log
    shows it at error level; otherwise plain text for a person."""
    if os.environ.get(MAGIC_COOKIE_KEY) == MAGIC_COOKIE_VALUE:
        log("error", message)
    else:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    sys.exit(1)


# --- the generated stubs ---------------------------------------------------


def proto_sources():
    """Returns {file name: path} of the .proto files, or None when they are
    not all found next to this script."""
    found = {}
    for name in PROTO_FILES:
        for d in PROTO_DIRS:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                found[name] = os.path.normpath(p)
                break
        else:
            return None
    return found


def proto_digest(sources):
    h = hashlib.sha256()
    for name in PROTO_FILES:
        with open(sources[name], "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def generate_stubs(sources, out, digest):
    """Runs grpc_tools.protoc on the sources into out. The files are written
    to a temporary directory first and renamed into place one by one, so a
    plugin starting at the same time never imports a half-written module."""
    try:
        import grpc_tools
        from grpc_tools import protoc
    except ImportError:
        fail(f"{NAME}: grpc_tools is missing (apt-get install python3-grpc-tools)")
    os.makedirs(out, exist_ok=True)
    includes = sorted({os.path.dirname(p) for p in sources.values()})
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        args = ["grpc_tools.protoc"]
        args += ["-I" + d for d in includes + [well_known]]
        args += ["--python_out=" + tmp, "--grpc_python_out=" + tmp]
        args += PROTO_FILES
        if protoc.main(args) != 0:
            fail(f"{NAME}: grpc_tools.protoc failed on {', '.join(sources.values())}")
        for m in STUB_MODULES:
            os.replace(os.path.join(tmp, m + ".py"), os.path.join(out, m + ".py"))
        stamp = os.path.join(tmp, "STAMP")
        with open(stamp, "w") as f:
            f.write(digest + "\n")
        os.replace(stamp, os.path.join(out, "STAMP"))


def load_stubs():
    """Makes the generated modules importable, generating them first when
    they are missing or stale."""
    out = os.environ.get("SWITCHBOARD_PY_STUBS") or os.path.join(HERE, "_stubs")
    out = os.path.abspath(out)
    have = all(os.path.isfile(os.path.join(out, m + ".py")) for m in STUB_MODULES)
    sources = proto_sources()
    if sources is not None:
        digest = proto_digest(sources)
        try:
            with open(os.path.join(out, "STAMP")) as f:
                fresh = f.read().strip() == digest
        except OSError:
            fresh = False
        if not (have and fresh):
            generate_stubs(sources, out, digest)
    elif not have:
        fail(
            f"{NAME}: no generated stubs in {out} and no .proto files next to "
            f"{__file__} to generate them from: set SWITCHBOARD_PY_STUBS to a "
            "directory made with grpc_tools.protoc (see examples/python/README.md)"
        )
    sys.path.insert(0, out)


# --- the plugin ------------------------------------------------------------


class Broker:
    """The plugin's side of go-plugin's broker: the daemon sends, on the
    StartStream call, a ConnInfo for each service it serves to the plugin;
    conn_info waits for the one with a given id."""

    def __init__(self):
        self._cond = threading.Condition()
        self._infos = {}

    def offer(self, info):
        with self._cond:
            self._infos[info.service_id] = info
            self._cond.notify_all()

    def conn_info(self, service_id, timeout):
        with self._cond:
            self._cond.wait_for(lambda: service_id in self._infos, timeout)
            return self._infos.get(service_id)


class Plugin:
    """The state shared by the services: the broker, the Host connection and
    the tickets already taken (HandleTicket is delivered at least once)."""

    def __init__(self, stubs, stop):
        self.pb, self.host_pb, self.host_grpc, self.grpc = stubs
        self.stop = stop
        self.broker = Broker()
        self.lock = threading.Lock()
        self.host = None  # a HostStub, once Configure named the service
        self.department = ""
        self.resolving = set()  # ticket ids with a resolver running

    def use_host(self, service_id):
        info = self.broker.conn_info(service_id, BROKER_WAIT)
        if info is None:
            raise LookupError(
                f"the broker named no connection for host_service_id {service_id} "
                f"within {BROKER_WAIT:g}s"
            )
        if info.network == "unix":
            target = "unix:" + info.address
        elif info.network == "tcp":
            target = info.address
        else:
            raise LookupError(f"broker connection {service_id} has unknown network {info.network!r}")
        channel = self.grpc.insecure_channel(target)
        with self.lock:
            self.host = self.host_grpc.HostStub(channel)
        log("debug", "host service dialled", service_id=service_id, target=target)

    def take(self, ticket_id):
        """Starts the resolver of ticket_id unless one runs already."""
        with self.lock:
            if self.host is None:
                log("warn", "no host service: the ticket stays open", ticket=ticket_id)
                return
            if ticket_id in self.resolving:
                return
            self.resolving.add(ticket_id)
        threading.Thread(target=self.resolve, args=(ticket_id,), daemon=True).start()

    def resolve(self, ticket_id):
        """Resolves the ticket through the Host service. The daemon commits
        the acceptance just after HandleTicket returns; until then the
        transition is refused with FAILED_PRECONDITION, so it is retried."""
        grpc = self.grpc
        deadline = time.monotonic() + RESOLVE_PATIENCE
        req = self.host_pb.TransitionRequest(
            ticket_id=ticket_id, status="resolved", note="fixed by the Python plugin"
        )
        try:
            while not self.stop.is_set():
                try:
                    resp = self.host.Transition(req, timeout=5)
                    log("info", "ticket resolved", ticket=ticket_id, status=resp.ticket.status)
                    return
                except grpc.RpcError as e:
                    code = e.code()
                    retry = code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.UNAVAILABLE)
                    if not retry or time.monotonic() > deadline:
                        log("error", "resolving ticket failed", ticket=ticket_id,
                            code=code.name, error=e.details())
                        return
                time.sleep(0.05)
        finally:
            with self.lock:
                self.resolving.discard(ticket_id)


def services(plugin, stubs_mod):
    """Returns the servicer instances of every service the plugin serves."""
    pb = plugin.pb
    (department_grpc, broker_pb, broker_grpc, controller_pb, controller_grpc,
     health_pb, health_grpc) = stubs_mod
    grpc = plugin.grpc

    def plugin_error(context, message):
        """Fails the call as the plugin's own error: the trailer tells the
        daemon that the plugin ran and refused, rather than broke (for
        Configure: the settings are wrong, and a restart will not help)."""
        context.set_trailing_metadata(((PLUGIN_ERROR_TRAILER, NAME),))
        context.abort(grpc.StatusCode.UNKNOWN, message)

    class DepartmentService(department_grpc.DepartmentServicer):
        def Describe(self, request, context):
            return pb.DescribeResponse(
                name=NAME,
                version=VERSION,
                description="a department written in Python: takes every ticket and resolves it",
                protocol_version=APP_PROTOCOL_VERSION,
            )

        def Capabilities(self, request, context):
            log("debug", "capabilities asked", host_protocol_version=request.host_protocol_version)
            return pb.CapabilitiesResponse(capabilities=["host"])

        def Configure(self, request, context):
            try:
                settings = json.loads(request.settings) if request.settings else {}
            except ValueError as e:
                plugin_error(context, f"settings are not JSON: {e}")
            plugin.department = request.department
            log("info", "configured", department=request.department,
                host_service_id=request.host_service_id, settings=settings)
            if request.host_service_id:
                try:
                    plugin.use_host(request.host_service_id)
                except LookupError as e:
                    context.abort(grpc.StatusCode.UNAVAILABLE, f"Configure: {e}")
            return pb.ConfigureResponse()

        def HandleTicket(self, request, context):
            if not request.HasField("ticket"):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "HandleTicket: request has no ticket")
            t = request.ticket
            log("info", "ticket taken", ticket=t.id, kind=t.kind, category=t.category, title=t.title)
            plugin.take(t.id)
            return pb.HandleTicketResponse(
                accept=True,
                assignee=ASSIGNEE,
                note=f"taken by the Python department {NAME}",
            )

        def HandleEvent(self, request, context):
            ev = request.event
            log("debug", "event", id=ev.id, type=ev.type, ticket=ev.ticket_id, actor=ev.actor)
            return pb.HandleEventResponse(handled=True)

        def Health(self, request, context):
            return pb.HealthResponse()

    class HealthService(health_grpc.HealthServicer):
        def Check(self, request, context):
            if request.service not in ("", "plugin"):
                context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
            return health_pb.HealthCheckResponse(
                status=health_pb.HealthCheckResponse.SERVING
            )

    class BrokerService(broker_grpc.GRPCBrokerServicer):
        def StartStream(self, request_iterator, context):
            # The daemon never needs an answer: the plugin serves nothing
            # through the broker. The call lasts as long as the connection.
            for info in request_iterator:
                if info.HasField("knock"):
                    continue  # multiplexing, which the plugin does not offer
                log("debug", "broker connection", service_id=info.service_id,
                    network=info.network, address=info.address)
                plugin.broker.offer(info)
            return
            yield  # a generator: a stream of no responses

    class ControllerService(controller_grpc.GRPCControllerServicer):
        def Shutdown(self, request, context):
            log("debug", "shutdown asked by the daemon")
            plugin.stop.set()
            return controller_pb.Empty()

    return [
        (department_grpc.add_DepartmentServicer_to_server, DepartmentService()),
        (health_grpc.add_HealthServicer_to_server, HealthService()),
        (broker_grpc.add_GRPCBrokerServicer_to_server, BrokerService()),
        (controller_grpc.add_GRPCControllerServicer_to_server, ControllerService()),
    ]


def check_environment():
    """Refuses to run outside a go-plugin host, as the Go SDK does."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        fail(
            f"{NAME} is a Switchboard department plugin: it is started by the "
            "switchboard daemon (a [[department]] with command = this file), "
            "not run by hand."
        )
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "")
    if versions and str(APP_PROTOCOL_VERSION) not in versions.split(","):
        fail(f"{NAME}: the daemon speaks protocol versions {versions}; this plugin speaks {APP_PROTOCOL_VERSION}")
    if os.environ.get("PLUGIN_CLIENT_CERT"):
        fail(
            f"{NAME}: the daemon asks for AutoMTLS, which this plugin does not "
            "implement: set tls = false on its [[department]] in config.toml"
        )


def main():
    check_environment()
    # Like go-plugin's Go servers, ignore SIGINT: a Ctrl-C at the daemon's
    # terminal reaches the whole process group, and the daemon stops its
    # plugins itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load_stubs()
    import grpc
    import department_pb2
    import department_pb2_grpc
    import grpc_broker_pb2
    import grpc_broker_pb2_grpc
    import grpc_controller_pb2
    import grpc_controller_pb2_grpc
    import health_pb2
    import health_pb2_grpc
    import host_pb2
    import host_pb2_grpc

    stop = threading.Event()
    plugin = Plugin((department_pb2, host_pb2, host_pb2_grpc, grpc), stop)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=16),
        options=[("grpc.so_reuseport", 0)],
    )
    for add, servicer in services(plugin, (
        department_pb2_grpc, grpc_broker_pb2, grpc_broker_pb2_grpc,
        grpc_controller_pb2, grpc_controller_pb2_grpc, health_pb2, health_pb2_grpc,
    )):
        add(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    if not port:
        fail(f"{NAME}: cannot listen on 127.0.0.1")
    server.start()

    # The handshake: the one line stdout ever carries.
    sys.stdout.write(f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc\n")
    sys.stdout.flush()
    log("info", "serving", address=f"127.0.0.1:{port}", pid=os.getpid())

    # The daemon ends the plugin with Shutdown or a signal; if it dies
    # without either, the plugin is reparented and exits by itself.
    parent = os.getppid()
    while not stop.wait(PARENT_POLL):
        if os.getppid() != parent:
            log("warn", "the daemon is gone; exiting", parent=parent)
            break
    server.stop(grace=1).wait()
    log("debug", "stopped")


if __name__ == "__main__":
    main()
