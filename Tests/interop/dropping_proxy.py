"""A loopback TCP proxy that understands Kafka framing and can drop a response.

The broker advertises the proxy's address, so every client connection goes through it.
The proxy remembers each request's API key by correlation id; when told to, it swallows
the response of the next Produce request and closes that connection, exactly what a
client sees when the network fails after the broker appended the batch.
"""
import socket
import struct
import threading

PRODUCE = 0


class DroppingProxy:
    def __init__(self, port, target_port):
        self.port = port
        self.target_port = target_port
        self.drop_produce_responses = 0
        self.dropped = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.running = False
        self.listener.close()

    def _accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            pending = {}
            threading.Thread(target=self._requests, args=(client, upstream, pending), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client, pending), daemon=True).start()

    @staticmethod
    def _read_frame(sock):
        header = DroppingProxy._read_exact(sock, 4)
        if header is None:
            return None
        (size,) = struct.unpack(">i", header)
        body = DroppingProxy._read_exact(sock, size)
        return None if body is None else header + body

    @staticmethod
    def _read_exact(sock, count):
        data = b""
        while len(data) < count:
            try:
                chunk = sock.recv(count - len(data))
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def _requests(self, client, upstream, pending):
        while True:
            frame = self._read_frame(client)
            if frame is None:
                break
            api_key, _, correlation = struct.unpack(">hhi", frame[4:12])
            pending[correlation] = api_key
            try:
                upstream.sendall(frame)
            except OSError:
                break
        self._close(client, upstream)

    def _responses(self, upstream, client, pending):
        while True:
            frame = self._read_frame(upstream)
            if frame is None:
                break
            (correlation,) = struct.unpack(">i", frame[4:8])
            if pending.pop(correlation, None) == PRODUCE:
                with self.lock:
                    drop = self.drop_produce_responses > 0
                    if drop:
                        self.drop_produce_responses -= 1
                        self.dropped += 1
                if drop:
                    break
            try:
                client.sendall(frame)
            except OSError:
                break
        self._close(client, upstream)

    @staticmethod
    def _close(*sockets):
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
