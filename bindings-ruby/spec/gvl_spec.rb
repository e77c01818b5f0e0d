# frozen_string_literal: true

require "spec_helper"
require "socket"

# Slow work (key generation, a JWKS fetch) runs without the GVL, so other Ruby threads (Puma's)
# keep running. A thread counts while the main thread is inside one native call; a call that held
# the GVL would let it count exactly nothing.
RSpec.describe "the GVL" do
  def progress_during
    counter = 0
    stop = false
    counting = Thread.new { counter += 1 until stop }
    sleep 0.02 until counter.positive?
    Thread.pass
    before = counter
    yield
    during = counter - before
    stop = true
    counting.join
    during
  end

  it "is released while a key is generated" do
    expect(progress_during { CC::SigningKey.generate }).to be > 0
  end

  it "is released while an OIDC source waits on a slow server" do
    server = TCPServer.new("127.0.0.1", 0)
    port = server.addr[1]
    serving = Thread.new do
      client = server.accept
      client.readpartial(4096)
      sleep 0.3 # the slow part: answered only after other threads had their chance
      body = "{}"
      client.write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}")
      client.close
    rescue IOError, SystemCallError
      nil
    end
    source = CC::KeySource.oidc("slow", "http://127.0.0.1:#{port}", 5)
    during = progress_during { expect { source.load }.to raise_error(CC::Error) }
    expect(during).to be > 0
  ensure
    serving&.join(1)
    server&.close
  end
end
