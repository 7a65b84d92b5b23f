package io.phybr.mock.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault of the proxy against an echo server over real sockets: what the client sees. */
class FaultProxyTest {
    private ServerSocket echo;
    private Thread echoThread;
    private FaultProxy proxy;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the proxy reset or closed it
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
        proxy = FaultProxy.start("127.0.0.1:" + echo.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
        echoThread.join(5_000);
        assertThat(FaultProxy.live()).isZero();
    }

    private Socket dial() throws IOException {
        String[] a = proxy.address().split(":");
        Socket s = new Socket(a[0], Integer.parseInt(a[1]));
        s.setSoTimeout(5_000);
        return s;
    }

    private static byte[] read(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    @Test
    void withoutFaultsBytesPassBothWays() throws IOException {
        try (Socket s = dial()) {
            s.getOutputStream().write("hello".getBytes());
            assertThat(new String(read(s.getInputStream(), 5))).isEqualTo("hello");
        }
        // counted after the write: the echo may answer first
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bytes(NetFault.Direction.UPSTREAM) == 5);
        assertThat(proxy.fired()).isZero();
    }

    @Test
    void aStallDeliversUpToItsPointThenSilenceWithTheConnectionOpen() throws IOException {
        proxy.inject(new NetFault.Stall(NetFault.Direction.DOWNSTREAM, 4, NetFault.Connections.ALL));
        try (Socket s = dial()) {
            s.getOutputStream().write("0123456789".getBytes());
            assertThat(new String(read(s.getInputStream(), 4))).isEqualTo("0123");
            s.setSoTimeout(300); // a bounded wait for bytes that must not come
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(s.isClosed()).isFalse();
        }
        assertThat(proxy.fired()).isEqualTo(1);
    }

    @Test
    void aResetTearsTheConnectionDown() throws IOException {
        proxy.inject(new NetFault.Reset(NetFault.Direction.DOWNSTREAM, 3, NetFault.Connections.ALL));
        try (Socket s = dial()) {
            s.getOutputStream().write("abcdef".getBytes());
            InputStream in = s.getInputStream();
            assertThat(new String(read(in, 3))).isEqualTo("abc");
            assertThatThrownBy(() -> {
                // an RST: "Connection reset" (or, once seen, EOF on a read and a broken pipe on a write)
                while (in.read() >= 0) {
                    s.getOutputStream().write('x');
                }
                s.getOutputStream().write('x');
                s.getOutputStream().write('x');
                throw new SocketException("ended without a reset");
            }).isInstanceOf(SocketException.class).hasMessageNotContaining("without a reset");
        }
    }

    @Test
    void aHalfCloseEndsOneDirectionWhileTheOtherFlows() throws Exception {
        proxy.inject(new NetFault.HalfClose(NetFault.Direction.DOWNSTREAM, 2, NetFault.Connections.ALL));
        try (Socket s = dial()) {
            s.getOutputStream().write("xyz".getBytes());
            InputStream in = s.getInputStream();
            assertThat(new String(read(in, 2))).isEqualTo("xy");
            assertThat(in.read()).as("FIN after the point").isEqualTo(-1);
            s.getOutputStream().write("more".getBytes()); // upstream still flows
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bytes(NetFault.Direction.UPSTREAM) == 7);
        }
    }

    @Test
    void slowBytesAllArriveInOrder() throws IOException {
        proxy.inject(new NetFault.Slow(NetFault.Direction.DOWNSTREAM, 0, NetFault.Connections.ALL, 3, Duration.ofMillis(1)));
        byte[] data = new byte[200];
        Arrays.fill(data, (byte) 'q');
        try (Socket s = dial()) {
            s.getOutputStream().write(data);
            assertThat(read(s.getInputStream(), 200)).isEqualTo(data);
        }
        assertThat(proxy.fired()).isEqualTo(1);
    }

    @Test
    void aFaultOnOneConnectionLeavesTheOthersAlone() throws IOException {
        proxy.inject(new NetFault.Stall(NetFault.Direction.UPSTREAM, 0, NetFault.Connections.only(1)));
        try (Socket first = dial(); Socket second = dial()) {
            first.getOutputStream().write('a');
            second.getOutputStream().write('b');
            assertThat(second.getInputStream().read()).isEqualTo('b');
            first.setSoTimeout(300);
            assertThatThrownBy(() -> first.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(proxy.connections()).isEqualTo(2);
    }
}
