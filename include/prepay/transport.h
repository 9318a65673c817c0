/* SPDX-License-Identifier: MIT */
/**
 * @file transport.h
 * @brief Hosted transports for station sessions: serial / RS-485 ports, TCP to a DTU or serial server, DTUs dialling in.
 *
 * **Hosted only** (POSIX: termios, sockets, poll); not part of the firmware
 * profile and not included by prepay.h. Include it explicitly.
 *
 * The station side of the library is sans-I/O (prepay/station.h): a
 * session decides what to send and when a request has ended; it never
 * touches a device. This header moves the bytes:
 *
 * - **Serial** (prepay_transport_open_serial()): a tty device through
 *   termios, raw, at 1200..115200 bit/s, 5..8 data bits, no / even / odd
 *   parity, 1 or 2 stop bits (DL/T 645-2007: 2400 8E1 by default, clause
 *   7.3; 1997 meters 1200 8E1). The port is opened exclusively (TIOCEXCL
 *   and an advisory flock(), so two stations cannot share one bus); a
 *   missing or busy device is reported with the system's own text. Each
 *   request is fully transmitted (tcdrain) before the reply timeout starts
 *   (prepay_station_sent()): on a half-duplex RS-485 bus the meter answers
 *   only after the request has left the line, and at 1200 bit/s a 30-byte
 *   request takes a quarter of a second.
 * - **TCP client** (prepay_transport_open_tcp()): a transparent DTU or a
 *   serial device server at host:port. A connection lost during a request
 *   is reconnected once and the request sent again.
 * - **TCP server for DTUs that dial in** (::prepay_dtu_server_t): GPRS/4G
 *   DTUs connect to the station and identify themselves with a
 *   registration packet (prepay/dtu.h); the server accepts any number of
 *   them at once in one poll loop, drops peers that send no valid
 *   registration in time, replaces an older connection when a DTU
 *   registers again, and hands a registered DTU to a transport
 *   (prepay_dtu_server_attach()). A DTU that reconnects during a request
 *   is waited for and the request sent again.
 * - **Links** (::prepay_link_t): a transport and a station session driven
 *   without blocking, so that one thread runs many buses (many DTUs) at
 *   once: prepay_link_start(), then prepay_links_poll() until
 *   prepay_link_done(). prepay_transport_exchange() is the blocking form
 *   for one request.
 *
 * Errors are status codes of module ::PREPAY_MODULE_TRANSPORT (numbers
 * 16..) with one line of text in the object's `error` member that names the
 * device or host and gives the operating system's message
 * (`/dev/ttyUSB0: No such file or directory`).
 *
 * Objects are caller-owned plain structs; nothing here allocates. They are
 * not thread-safe: use each from one thread.
 */
#ifndef PREPAY_TRANSPORT_H
#define PREPAY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/dtu.h"
#include "prepay/export.h"
#include "prepay/station.h"
#include "prepay/status.h"

/** @name Status codes of the hosted transports (module ::PREPAY_MODULE_TRANSPORT, numbers 16..)
 *  @{ */
/** @brief The device cannot be opened or the host refused the connection (the text says why).
 *  prepay_strerror(): "transport: cannot open the device or connect to the host" */
#define PREPAY_E_TRANSPORT_OPEN PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 16)
/** @brief The serial device is in use by another program (exclusive open or lock refused).
 *  prepay_strerror(): "transport: the device is in use by another program" */
#define PREPAY_E_TRANSPORT_BUSY PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 17)
/** @brief Serial settings this library or the device do not support (rate, data bits, parity, stop bits).
 *  prepay_strerror(): "transport: serial settings the device or this library do not support" */
#define PREPAY_E_TRANSPORT_SETTINGS PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 18)
/** @brief The connection was closed by the other end (and could not be made again).
 *  prepay_strerror(): "transport: the connection was closed by the other end" */
#define PREPAY_E_TRANSPORT_CLOSED PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 19)
/** @brief A read or write failed (the text gives the system's message).
 *  prepay_strerror(): "transport: read or write on the device or connection failed" */
#define PREPAY_E_TRANSPORT_IO PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 20)
/** @brief The DTU did not register (or register again) within the time allowed.
 *  prepay_strerror(): "transport: the DTU did not register within the time allowed" */
#define PREPAY_E_TRANSPORT_NO_DTU PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 21)
/** @brief Connecting took longer than the time allowed.
 *  prepay_strerror(): "transport: connecting took longer than the time allowed" */
#define PREPAY_E_TRANSPORT_TIMEOUT PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 22)
/** @brief The host name or address cannot be resolved.
 *  prepay_strerror(): "transport: the host name or address cannot be resolved" */
#define PREPAY_E_TRANSPORT_ADDRESS PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 23)
/** @} */

/** @brief Capacity of the one-line error texts, NUL included. */
#define PREPAY_TRANSPORT_ERROR_MAX 256u
/** @brief Capacity of a device path or host name, NUL included. */
#define PREPAY_TRANSPORT_NAME_MAX 128u
/** @brief Bytes a DTU connection keeps while waiting for its registration packet. */
#define PREPAY_DTU_PENDING_MAX 128u
/** @brief Default time a new connection has to send its registration packet, in ms. */
#define PREPAY_DTU_DEFAULT_REGISTRATION_MS 10000u
/** @brief Default time to wait for a host to accept a connection, or a DTU to register, in ms. */
#define PREPAY_TRANSPORT_DEFAULT_CONNECT_MS 5000u

/** @brief Kinds of transport. */
typedef enum prepay_transport_kind {
    PREPAY_TRANSPORT_NONE = 0,   /**< not open */
    PREPAY_TRANSPORT_SERIAL = 1, /**< a serial device (RS-485 adapter, pseudo-terminal) */
    PREPAY_TRANSPORT_TCP = 2,    /**< a TCP connection the station made */
    PREPAY_TRANSPORT_DTU = 3     /**< a DTU that dialled in to a ::prepay_dtu_server_t */
} prepay_transport_kind_t;

/** @brief Serial line settings. */
typedef struct prepay_serial_settings {
    uint32_t baud;     /**< 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200 */
    uint8_t data_bits; /**< 5..8 */
    char parity;       /**< 'N' none, 'E' even, 'O' odd */
    uint8_t stop_bits; /**< 1 or 2 */
} prepay_serial_settings_t;

struct prepay_dtu_server;

/** @brief An open transport (caller-owned; members are private except `error`). */
typedef struct prepay_transport {
    int fd;                                   /**< private: the descriptor, or -1 */
    uint8_t kind;                             /**< private: ::prepay_transport_kind */
    prepay_serial_settings_t serial;          /**< private: serial settings */
    char name[PREPAY_TRANSPORT_NAME_MAX];     /**< private: device path, host, or DTU id */
    uint16_t port;                            /**< private: TCP port */
    uint32_t connect_timeout_ms;              /**< private: time allowed to (re)connect or for a DTU to register */
    struct prepay_dtu_server *server;         /**< private: the server of a DTU transport */
    uint64_t bytes_sent;                      /**< private: counters */
    uint64_t bytes_received;                  /**< private */
    uint32_t reconnects;                      /**< private: connections made again */
    char error[PREPAY_TRANSPORT_ERROR_MAX];   /**< the last error, one line ("" if none) */
} prepay_transport_t;

/** @brief States of a DTU connection (private). */
typedef enum prepay_dtu_state {
    PREPAY_DTU_FREE = 0,       /**< slot unused */
    PREPAY_DTU_PENDING = 1,    /**< connected, waiting for the registration packet */
    PREPAY_DTU_REGISTERED = 2, /**< identified, idle */
    PREPAY_DTU_ATTACHED = 3    /**< in use by a transport */
} prepay_dtu_state_t;

/** @brief One DTU connection of a server (caller-owned array; members private). */
typedef struct prepay_dtu_connection {
    int fd;                                   /**< private */
    uint8_t state;                            /**< private: ::prepay_dtu_state */
    char id[PREPAY_DTU_ID_TEXT_MAX];          /**< private: the registered id */
    char peer[64];                            /**< private: the peer's address, for messages */
    uint64_t connected_ms;                    /**< private */
    uint64_t last_seen_ms;                    /**< private: registration, heartbeat or data */
    uint32_t heartbeats;                      /**< private */
    size_t pending;                           /**< private: bytes held in `buffer` */
    uint8_t buffer[PREPAY_DTU_PENDING_MAX];   /**< private: bytes before the registration ends */
} prepay_dtu_connection_t;

/** @brief Called with one line describing a server event (registration, refusal, replacement). */
typedef void (*prepay_dtu_log_fn)(void *context, const char *line);

/** @brief A TCP server for DTUs that dial in (caller-owned; members private except `error`). */
typedef struct prepay_dtu_server {
    int listen_fd;                            /**< private */
    uint16_t port;                            /**< private: the bound port */
    prepay_dtu_format_t registration;         /**< private */
    prepay_dtu_format_t heartbeat;            /**< private */
    bool has_heartbeat;                       /**< private */
    prepay_dtu_connection_t *connections;     /**< private: caller's array */
    size_t capacity;                          /**< private */
    uint32_t registration_timeout_ms;         /**< private */
    prepay_dtu_log_fn log;                    /**< private */
    void *log_context;                        /**< private */
    uint64_t accepted;                        /**< private: connections accepted */
    uint64_t registered;                      /**< private: registrations */
    uint64_t refused;                         /**< private: peers dropped (garbage, silence, full) */
    uint64_t replaced;                        /**< private: older connections replaced by a new registration */
    char error[PREPAY_TRANSPORT_ERROR_MAX];   /**< the last error, one line ("" if none) */
} prepay_dtu_server_t;

/** @brief States of a link. */
typedef enum prepay_link_state {
    PREPAY_LINK_IDLE = 0, /**< no request */
    PREPAY_LINK_BUSY = 1, /**< a request is under way */
    PREPAY_LINK_DONE = 2  /**< the request ended: prepay_link_result() */
} prepay_link_state_t;

/** @brief A bus: a transport and a station session, driven without blocking (caller-owned; members private). */
typedef struct prepay_link {
    prepay_transport_t *transport;      /**< private */
    prepay_station_session_t session;   /**< private */
    prepay_dlt645_frame_t request;      /**< private: for a restart after a reconnection */
    uint8_t tx[PREPAY_STATION_TX_MAX];  /**< private */
    prepay_station_step_t step;         /**< private */
    uint8_t *data;                      /**< private: caller's buffer for read data */
    size_t data_cap;                    /**< private */
    uint8_t state;                      /**< private: ::prepay_link_state */
    uint8_t restarts;                   /**< private: restarts left for this request */
    bool waiting_dtu;                   /**< private: the DTU's connection was lost; waiting for it */
    uint64_t wait_until_ms;             /**< private: give up on the DTU then */
    int status;                         /**< private: library status of the finished request */
    prepay_station_result_t result;     /**< private */
} prepay_link_t;

PREPAY_BEGIN_DECLS

/**
 * @brief The DL/T 645 default line settings: 2400 bit/s, 8 data bits, even parity, 1 stop bit.
 * @param out the settings.
 *
 * **Errors:** none; does nothing if @p out is NULL.
 */
PREPAY_API void prepay_serial_settings_default(prepay_serial_settings_t *out);

/**
 * @brief Parses `BAUD` or `BAUD:8E1` (data bits 5..8, parity N/E/O, stop bits 1 or 2; any case).
 * @param text the text, NUL-terminated.
 * @param out the settings; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_TRANSPORT_SETTINGS for a rate outside the list or a malformed frame spec.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_serial_settings_parse(const char *text, prepay_serial_settings_t *out);

/**
 * @brief Time one character takes on the line, in microseconds (start bit, data, parity, stop bits), rounded up.
 * @param settings the settings.
 * @return the time, or 0 if @p settings is NULL or its rate 0.
 *
 * **Errors:** none.
 */
PREPAY_API uint32_t prepay_serial_char_time_us(const prepay_serial_settings_t *settings);

/**
 * @brief Opens a serial device exclusively, raw, with @p settings.
 * @param t the transport (any previous content is overwritten).
 * @param device the device path, e.g. `/dev/ttyUSB0`.
 * @param settings the line settings, or NULL for the DL/T 645 default.
 * @return ::PREPAY_OK, or an error (then `t->error` names the device and the cause, and `t->fd` is -1).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a path
 * longer than ::PREPAY_TRANSPORT_NAME_MAX; ::PREPAY_E_TRANSPORT_OPEN (missing
 * device, no permission, not a serial port); ::PREPAY_E_TRANSPORT_BUSY
 * (another program has it: exclusive mode or the lock);
 * ::PREPAY_E_TRANSPORT_SETTINGS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_open_serial(prepay_transport_t *t, const char *device,
                                            const prepay_serial_settings_t *settings);

/**
 * @brief Connects to a DTU or serial server at @p host : @p port.
 * @param t the transport (any previous content is overwritten).
 * @param host a host name or numeric address.
 * @param port the TCP port.
 * @param timeout_ms time allowed for the connection (0: ::PREPAY_TRANSPORT_DEFAULT_CONNECT_MS); also used to reconnect.
 * @return ::PREPAY_OK, or an error (`t->error` says why).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_TRANSPORT_ADDRESS;
 * ::PREPAY_E_TRANSPORT_OPEN (refused, unreachable); ::PREPAY_E_TRANSPORT_TIMEOUT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_open_tcp(prepay_transport_t *t, const char *host, uint16_t port,
                                         uint32_t timeout_ms);

/**
 * @brief Makes the connection again: TCP connects anew, a DTU transport waits for the DTU to register again.
 * @param t an open (or lost) TCP or DTU transport.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE for a serial
 * or closed transport; errors of prepay_transport_open_tcp() and
 * prepay_dtu_server_attach().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_reconnect(prepay_transport_t *t);

/**
 * @brief Sends bytes: all of them, then (serial) waits until they have left the line.
 * @param t an open transport.
 * @param bytes the bytes.
 * @param len their number.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not
 * open; ::PREPAY_E_TRANSPORT_CLOSED; ::PREPAY_E_TRANSPORT_IO.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_send(prepay_transport_t *t, const uint8_t *bytes, size_t len);

/**
 * @brief Receives what has arrived, waiting at most @p timeout_ms for the first byte.
 * @param t an open transport.
 * @param buf where to put the bytes.
 * @param cap its capacity (> 0).
 * @param timeout_ms how long to wait (0: do not wait).
 * @return the number of bytes (0 if none came in time), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE;
 * ::PREPAY_E_TRANSPORT_CLOSED (end of stream); ::PREPAY_E_TRANSPORT_IO.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_receive(prepay_transport_t *t, uint8_t *buf, size_t cap, uint32_t timeout_ms);

/**
 * @brief Drops what has arrived and not been asked for (stale replies, DTU heartbeats) before a new request.
 * @param t an open transport.
 * @return the number of bytes dropped, or an error.
 *
 * **Errors:** as prepay_transport_receive().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_drain(prepay_transport_t *t);

/**
 * @brief Closes the transport (a DTU connection goes back to its server). Safe to call twice.
 * @param t the transport; NULL does nothing.
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_transport_close(prepay_transport_t *t);

/**
 * @brief Runs one request to its end on @p session over @p t, blocking: a reply, an abnormal or malformed reply, or a timeout.
 *
 * Drains stale bytes, sends the request (and retransmissions and follow-up
 * requests), tells the session when each has left the line, and feeds it
 * what arrives. A TCP connection lost on the way is made again once and the
 * request sent again (the new attempt counts as a retry); a DTU is waited
 * for (its connect time) to register again.
 * @param t an open transport.
 * @param session an initialised, idle session.
 * @param request the request.
 * @param data buffer for joined read data, or NULL.
 * @param data_cap its capacity.
 * @param result how the request ended (valid when ::PREPAY_OK is returned).
 * @return ::PREPAY_OK (see `result->status`), or an error of the session or the transport.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; errors of prepay_station_start();
 * ::PREPAY_E_TRANSPORT_CLOSED, ::PREPAY_E_TRANSPORT_IO, ::PREPAY_E_TRANSPORT_NO_DTU
 * (the session is then idle again).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_transport_exchange(prepay_transport_t *t, prepay_station_session_t *session,
                                         const prepay_dlt645_frame_t *request, uint8_t *data, size_t data_cap,
                                         prepay_station_result_t *result);

/**
 * @brief Milliseconds of the monotonic clock the transports use.
 * @return the time.
 *
 * **Errors:** none.
 */
PREPAY_API uint64_t prepay_transport_now_ms(void);

/**
 * @brief Opens a TCP server for DTUs that dial in.
 * @param server the server (caller-owned).
 * @param host the address to listen on (e.g. "0.0.0.0" or "127.0.0.1"), or NULL for any.
 * @param port the port (0: any free port, see prepay_dtu_server_port()).
 * @param registration the registration packet format (prepay_dtu_format_parse()); must carry an id.
 * @param heartbeat the heartbeat packet format, or NULL if the DTUs send none (or send the registration again).
 * @param connections the caller's connection slots (the most DTUs connected at once).
 * @param capacity their number (> 0).
 * @return ::PREPAY_OK, or an error (`server->error` says why).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointers, capacity 0, a
 * registration format without an id); ::PREPAY_E_TRANSPORT_ADDRESS;
 * ::PREPAY_E_TRANSPORT_OPEN (the port is in use, no permission).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dtu_server_open(prepay_dtu_server_t *server, const char *host, uint16_t port,
                                      const prepay_dtu_format_t *registration, const prepay_dtu_format_t *heartbeat,
                                      prepay_dtu_connection_t *connections, size_t capacity);

/**
 * @brief Sets the function told about registrations, refusals and replacements (NULL: none).
 * @param server the server.
 * @param log the function.
 * @param context passed to it.
 *
 * **Errors:** none; does nothing if @p server is NULL.
 */
PREPAY_API void prepay_dtu_server_set_log(prepay_dtu_server_t *server, prepay_dtu_log_fn log, void *context);

/**
 * @brief Sets how long a new connection has to send its registration packet (default ::PREPAY_DTU_DEFAULT_REGISTRATION_MS).
 * @param server the server.
 * @param timeout_ms the time, > 0.
 *
 * **Errors:** none; does nothing for NULL or 0.
 */
PREPAY_API void prepay_dtu_server_set_registration_timeout(prepay_dtu_server_t *server, uint32_t timeout_ms);

/**
 * @brief The port the server listens on (useful after opening port 0).
 * @param server the server.
 * @return the port, or 0 if not open.
 *
 * **Errors:** none.
 */
PREPAY_API uint16_t prepay_dtu_server_port(const prepay_dtu_server_t *server);

/**
 * @brief Serves the listening socket and the connections not attached to a transport for at most @p timeout_ms.
 *
 * Accepts connections (refusing them when every slot is taken), reads
 * registration packets (a peer that sends bytes that cannot be one, or
 * nothing within the registration time, is dropped), a second
 * registration with an id already connected replaces the older connection
 * (the DTU reconnected), and heartbeats (or any bytes) from idle DTUs are
 * counted and dropped.
 * @param server the server.
 * @param timeout_ms longest wait for something to happen (0: none).
 * @return the number of DTUs registered now, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not open;
 * ::PREPAY_E_TRANSPORT_IO (poll failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dtu_server_poll(prepay_dtu_server_t *server, uint32_t timeout_ms);

/**
 * @brief Waits (serving the others) until DTU @p id is registered, and gives its connection to @p t.
 * @param server the server.
 * @param id the DTU id as its registration shows it.
 * @param timeout_ms longest wait.
 * @param t the transport; it becomes a ::PREPAY_TRANSPORT_DTU transport (reconnects wait @p timeout_ms).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not open
 * or the DTU is attached to another transport; ::PREPAY_E_TRANSPORT_NO_DTU.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dtu_server_attach(prepay_dtu_server_t *server, const char *id, uint32_t timeout_ms,
                                        prepay_transport_t *t);

/**
 * @brief Number of DTUs registered (attached or idle).
 * @param server the server.
 * @return the count.
 *
 * **Errors:** none.
 */
PREPAY_API size_t prepay_dtu_server_count(const prepay_dtu_server_t *server);

/**
 * @brief The id of the @p index -th registered DTU (in slot order), for listing.
 * @param server the server.
 * @param index 0..prepay_dtu_server_count() - 1.
 * @return the id, or NULL.
 *
 * **Errors:** none.
 */
PREPAY_API const char *prepay_dtu_server_id(const prepay_dtu_server_t *server, size_t index);

/**
 * @brief Closes every connection and the listening socket. Safe to call twice.
 * @param server the server; NULL does nothing.
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_dtu_server_close(prepay_dtu_server_t *server);

/**
 * @brief Prepares a link: @p t carries @p session's bytes.
 * @param link the link.
 * @param t an open transport.
 * @param config session settings, or NULL for the defaults.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; errors of prepay_station_init().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_link_init(prepay_link_t *link, prepay_transport_t *t, const prepay_station_config_t *config);

/**
 * @brief Starts a request on an idle link (drains stale bytes, sends the request); does not wait.
 * @param link an idle link.
 * @param request the request.
 * @param data buffer for joined read data, or NULL.
 * @param data_cap its capacity.
 * @return ::PREPAY_OK (the link is BUSY, or already DONE for a broadcast or a failed send), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_STATION_BUSY if the
 * link is not idle; errors of prepay_station_start().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_link_start(prepay_link_t *link, const prepay_dlt645_frame_t *request, uint8_t *data,
                                 size_t data_cap);

/**
 * @brief One round of waiting on many links (and a DTU server, if given): moves every busy link on.
 *
 * Waits until bytes arrive on a busy link, a session's deadline passes, a
 * DTU connects, or @p max_wait_ms pass; then feeds and polls the sessions.
 * Links whose request ended are DONE.
 * @param server a DTU server whose links are among @p links, or NULL.
 * @param links the links (NULL entries are skipped).
 * @param count their number.
 * @param max_wait_ms longest wait.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_TRANSPORT_IO (poll failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_links_poll(prepay_dtu_server_t *server, prepay_link_t *const *links, size_t count,
                                 uint32_t max_wait_ms);

/**
 * @brief Whether the link's request has ended.
 * @param link the link.
 * @return true when DONE.
 *
 * **Errors:** none.
 */
PREPAY_API bool prepay_link_done(const prepay_link_t *link);

/**
 * @brief How the request ended; the link becomes idle.
 * @param link a DONE link.
 * @param result the session's result (valid when ::PREPAY_OK is returned).
 * @return ::PREPAY_OK, or the error that ended the request without a result
 *         (::PREPAY_E_TRANSPORT_CLOSED, ::PREPAY_E_TRANSPORT_IO, ::PREPAY_E_TRANSPORT_NO_DTU).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_STATION_NOT_DONE if not DONE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_link_result(prepay_link_t *link, prepay_station_result_t *result);

PREPAY_END_DECLS

#endif /* PREPAY_TRANSPORT_H */
