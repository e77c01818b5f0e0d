# frozen_string_literal: true

# A real OIDC issuer on 127.0.0.1 for provider fault specs, run as its own process
# (`ruby oidc_server.rb`; it prints "<issuer port> <control port>"). A separate process, not a
# thread, so the issuer never depends on the extension under test releasing the GVL
# (docs/decisions.md#faults-ruby-process). Plain TCPServer: WEBrick is not part of Ruby 3.
#
# Issuer port: GET /.well-known/openid-configuration and GET /jwks, every request counted.
# Control port: POST /state {"mode": "ok|slow|status500|garbage", "delay": s, "keys": [...]},
# POST /down (stop listening on the issuer port), POST /up (listen again, same port), GET /hits.
require "socket"
require "json"

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/jwks"

$state = { "mode" => "ok", "delay" => 0.0, "keys" => [] }
$hits = Hash.new(0)
$lock = Mutex.new

def read_request(sock)
  line = sock.gets or return nil
  method, path = line.split(" ")
  length = 0
  while (header = sock.gets) && header != "\r\n"
    name, value = header.split(":", 2)
    length = value.to_i if name.casecmp?("content-length")
  end
  [method, path, length.positive? ? sock.read(length) : ""]
end

def respond(sock, status, body)
  sock.write("HTTP/1.1 #{status} X\r\nContent-Type: application/json\r\nContent-Length: #{body.bytesize}\r\n" \
             "Connection: close\r\n\r\n#{body}")
rescue IOError, SystemCallError
  nil # the client gave up (timeout) first
end

def serve_issuer(sock, port)
  _, path, = read_request(sock)
  return unless path

  state = $lock.synchronize do
    $hits[path] += 1
    $state.dup
  end
  sleep(state["delay"]) if state["mode"] == "slow" && path == JWKS
  status, body =
    if state["mode"] == "status500" then [500, "oops"]
    elsif state["mode"] == "garbage" then [200, "{not json"]
    elsif path == DISCOVERY then [200, JSON.generate("jwks_uri" => "http://127.0.0.1:#{port}#{JWKS}")]
    elsif path == JWKS then [200, JSON.generate("keys" => state["keys"])]
    else [404, ""]
    end
  respond(sock, status, body)
end

def listen(server, &handler)
  Thread.new do
    loop do
      sock = server.accept
      Thread.new(sock) do |s|
        handler.call(s)
      ensure
        s.close
      end
    end
  rescue IOError, SystemCallError
    nil # closed: the issuer is down
  end
end

issuer = TCPServer.new("127.0.0.1", 0)
port = issuer.addr[1]
control = TCPServer.new("127.0.0.1", 0)
serve = ->(s) { serve_issuer(s, port) }
listen(issuer, &serve)

$stdout.puts "#{port} #{control.addr[1]}"
$stdout.flush

loop do
  sock = control.accept
  method, path, body = read_request(sock)
  case [method, path]
  when %w[POST /state]
    $lock.synchronize { $state.merge!(JSON.parse(body)) }
    respond(sock, 200, "{}")
  when %w[POST /down]
    issuer.close
    respond(sock, 200, "{}")
  when %w[POST /up]
    issuer = TCPServer.new("127.0.0.1", port)
    listen(issuer, &serve)
    respond(sock, 200, "{}")
  when %w[GET /hits]
    respond(sock, 200, $lock.synchronize { JSON.generate($hits) })
  else
    respond(sock, 404, "{}")
  end
  sock.close
end
