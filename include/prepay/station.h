/* SPDX-License-Identifier: MIT */
/**
 * @file station.h
 * @ingroup prepay_station
 * @brief Station side of DL/T 645: request/response sessions, batch tasks and address discovery.
 *
 * A station (the master: a concentrator, a DTU gateway or a billing server)
 * talks to meters over a byte stream — RS-485, infrared, or TCP through a
 * transparent DTU. On one bus only one request may be outstanding (DL/T 645-2007
 * clause 7.3: the meters share the line and answer only when asked).
 *
 * This module is **sans-I/O**: it never reads a clock, a socket or a serial
 * port. The caller moves bytes and reports time in milliseconds from any
 * monotonic clock; each call returns a ::prepay_station_step_t saying what
 * to do next — send these bytes, wait until this time, or the request is done.
 * The same code therefore runs in a concentrator's firmware and in a server,
 * and tests drive it deterministically.
 *
 * - A **session** (::prepay_station_session_t) is one bus: it sends a request,
 *   parses the reply bytes in whatever chunks they arrive, ignores frames
 *   that do not answer the request (other addresses, echoes, garbage),
 *   retransmits after a timeout up to a retry limit, follows `B1`/`B2`
 *   follow-up frames with function 12 and joins their data, and ends every
 *   request in exactly one of: a reply, a typed abnormal reply
 *   (::PREPAY_E_DLT645_ABNORMAL with the meter's error byte), a malformed
 *   reply of the addressed meter (::PREPAY_E_STATION_MALFORMED_REPLY, at
 *   once), or a timeout (::PREPAY_E_STATION_TIMEOUT). The reply timeout is
 *   the wait for the reply to begin; while a frame is still arriving (gaps
 *   under the inter-byte limit) the wait is extended, by at most one more
 *   reply timeout. An optional quiet time follows a broadcast.
 * - A **task** (::prepay_station_task_t) applies one operation — read a set
 *   of DIs, set prices, relay control, recharge, time sync, anything a request
 *   builder makes — to many meters on a bus, now or at a scheduled time, with
 *   a result per meter, further rounds for the meters that failed, and a summary.
 * - **Discovery** (::prepay_station_discovery_t) finds the addresses of the
 *   meters on a bus by wildcard reads, splitting on one address byte at a time
 *   when several meters answer at once (their replies collide).
 */
#ifndef PREPAY_STATION_H
#define PREPAY_STATION_H

/** @addtogroup prepay_station
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/config.h"
#include "prepay/dlt645.h"
#include "prepay/export.h"
#include "prepay/status.h"

/** @name Status codes (module ::PREPAY_MODULE_STATION)
 *  @{ */
/** @brief A request is already outstanding on this session (one per bus).
 *  prepay_strerror(): "station: a request is already outstanding on this bus" */
#define PREPAY_E_STATION_BUSY PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 1)
/** @brief No valid reply arrived within the timeout, after every retry.
 *  prepay_strerror(): "station: no reply before the timeout, after every retry" */
#define PREPAY_E_STATION_TIMEOUT PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 2)
/** @brief The session has no finished request to report (idle or still waiting).
 *  prepay_strerror(): "station: no finished request to report" */
#define PREPAY_E_STATION_NOT_DONE PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 3)
/** @brief Follow-up frames carried more data than the caller's buffer, or more frames than the configured limit.
 *  prepay_strerror(): "station: follow-up data exceed the buffer or the follow-up limit" */
#define PREPAY_E_STATION_FOLLOW_UP_OVERFLOW PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 4)
/** @brief The request frame cannot be sent: it is a reply, or it does not encode.
 *  prepay_strerror(): "station: the request frame cannot be sent" */
#define PREPAY_E_STATION_BAD_REQUEST PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 5)
/** @brief Discovery found more meters than the caller's array holds.
 *  prepay_strerror(): "station: discovery found more meters than the array holds" */
#define PREPAY_E_STATION_TOO_MANY_METERS PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 6)
/** @brief A follow-up reply arrived with a sequence number other than the one requested.
 *  prepay_strerror(): "station: follow-up reply with an unexpected sequence number" */
#define PREPAY_E_STATION_BAD_SEQUENCE PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 7)
/**
 * @brief The addressed meter answered with a malformed reply: a whole frame
 *        with a good checksum whose length contradicts its control code (e.g.
 *        an abnormal reply without its one error byte). Reported at once, not
 *        retried: the meter will answer the same way again.
 *  prepay_strerror(): "station: the addressed meter sent a malformed reply (its length contradicts its control code)" */
#define PREPAY_E_STATION_MALFORMED_REPLY PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 8)
/** @} */

/** @brief Default time to wait for a reply, in ms. Meters answer 20–500 ms after a request (clause 7.3); the rest is margin for DTUs. */
#define PREPAY_STATION_DEFAULT_REPLY_TIMEOUT_MS 1000u
/** @brief Default silent gap after which held partial bytes are dropped, in ms (clause 7.3: inter-byte gap ≤ 500 ms). */
#define PREPAY_STATION_DEFAULT_BYTE_GAP_MS 500u
/** @brief Default number of retransmissions after the first attempt. */
#define PREPAY_STATION_DEFAULT_RETRIES 2u
/** @brief Default number of `FE` wake-up bytes sent before each frame (clause 7.1: up to four). */
#define PREPAY_STATION_DEFAULT_PREAMBLE 4u
/** @brief Default limit on follow-up frames per read. */
#define PREPAY_STATION_DEFAULT_MAX_FOLLOW_UPS 32u
/** @brief Default quiet time after a broadcast before the next request on the bus, in ms (0: none). */
#define PREPAY_STATION_DEFAULT_BROADCAST_QUIET_MS 0u
/** @brief Bytes a transmit buffer needs for any frame a session sends. */
#define PREPAY_STATION_TX_MAX PREPAY_DLT645_FRAME_MAX

/** @brief Timing and retry settings of a session. */
typedef struct prepay_station_config {
    uint32_t reply_timeout_ms; /**< wait for a reply this long per attempt */
    uint32_t byte_gap_ms;      /**< drop held partial bytes after this much silence */
    uint8_t retries;           /**< retransmissions after the first attempt */
    uint8_t preamble;          /**< `FE` bytes before each frame sent, 0..4 */
    uint8_t max_follow_ups;    /**< follow-up frames accepted per read */
    /**
     * After a broadcast (time sync, freeze to `999999999999`) the next request
     * waits this long, in ms: meters busy setting their clock may miss it
     * (some vendors ask for a pause; none is in the standard).
     */
    uint32_t broadcast_quiet_ms;
} prepay_station_config_t;

/** @brief What the caller must do after a session or task call. */
typedef enum prepay_station_action {
    PREPAY_STATION_IDLE = 0, /**< nothing outstanding */
    PREPAY_STATION_SEND = 1, /**< transmit `send_len` bytes of the tx buffer, then wait for bytes or `wake_at_ms` */
    PREPAY_STATION_WAIT = 2, /**< wait for bytes or until `wake_at_ms`, then call receive or poll */
    PREPAY_STATION_DONE = 3  /**< the request finished: read the result */
} prepay_station_action_t;

/** @brief The next thing to do. */
typedef struct prepay_station_step {
    prepay_station_action_t action; /**< what to do */
    size_t send_len;                /**< bytes to transmit from the tx buffer (SEND only) */
    uint64_t wake_at_ms;            /**< call poll at this time if no bytes come (SEND and WAIT) */
} prepay_station_step_t;

/** @brief How a finished request ended. */
typedef struct prepay_station_result {
    int status;                  /**< ::PREPAY_OK, ::PREPAY_E_DLT645_ABNORMAL, ::PREPAY_E_STATION_TIMEOUT, ::PREPAY_E_STATION_FOLLOW_UP_OVERFLOW, ::PREPAY_E_STATION_BAD_SEQUENCE, ::PREPAY_E_STATION_MALFORMED_REPLY */
    uint16_t error;              /**< the meter's error byte (abnormal replies) */
    uint8_t attempts;            /**< transmissions of the request, 1 + retries used */
    uint8_t follow_ups;          /**< follow-up frames read */
    size_t data_len;             /**< read requests: value bytes joined into the caller's data buffer */
    prepay_dlt645_frame_t reply; /**< the last reply (valid when status is OK or ABNORMAL; for MALFORMED_REPLY only its address, control and length) */
} prepay_station_result_t;

/** @brief Counters of a session since init. */
typedef struct prepay_station_stats {
    uint64_t requests;          /**< requests started */
    uint64_t transmissions;     /**< frames sent, retries and follow-ups included */
    uint64_t timeouts;          /**< attempts that timed out */
    uint64_t ignored_frames;    /**< valid frames that did not answer the request */
    uint64_t bytes_dropped;     /**< bytes the stream parser discarded */
    uint64_t malformed_replies; /**< well-framed replies whose length contradicts their control code */
} prepay_station_stats_t;

/**
 * @brief One bus: caller-owned state of a request/response session.
 *
 * Members are private; use the `prepay_station_*` functions.
 */
typedef struct prepay_station_session {
    uint32_t magic;                    /**< private */
    prepay_station_config_t config;    /**< private */
    uint8_t state;                     /**< private: idle, waiting, done */
    uint8_t attempts;                  /**< private */
    uint8_t follow_ups;                /**< private */
    uint64_t deadline_ms;              /**< private: reply deadline of this attempt */
    uint64_t last_byte_ms;             /**< private: time of the last bytes received */
    uint64_t attempt_deadline_ms;      /**< private: the deadline before any extension for a frame still arriving */
    uint64_t quiet_until_ms;           /**< private: no request before this time (after a broadcast) */
    prepay_dlt645_frame_t request;     /**< private: the request first sent */
    prepay_dlt645_frame_t current;     /**< private: the frame now outstanding (request or follow-up) */
    uint8_t *data;                     /**< private: caller's buffer for joined read data */
    size_t data_cap;                   /**< private */
    prepay_station_result_t result;    /**< private */
    prepay_station_stats_t stats;      /**< private */
    prepay_dlt645_stream_t stream;     /**< private: reply parser */
} prepay_station_session_t;

/**
 * @brief Builds the request for one meter of a task.
 * @param context the caller's pointer given to prepay_station_task_init().
 * @param address the meter.
 * @param index the meter's position in the task.
 * @param out the request to fill.
 * @return ::PREPAY_OK, or an error recorded as that meter's result (nothing is sent to it).
 */
typedef int (*prepay_station_build_fn)(void *context, const prepay_dlt645_address_t *address, size_t index,
                                       prepay_dlt645_frame_t *out);

/** @brief One meter of a task and its result. */
typedef struct prepay_station_task_item {
    prepay_dlt645_address_t address; /**< the meter (set by the caller) */
    int status;                      /**< result: ::PREPAY_OK, or the error that ended its last round; ::PREPAY_E_STATION_NOT_DONE until tried */
    uint16_t error;                  /**< the meter's error byte if abnormal */
    uint8_t rounds;                  /**< rounds in which it was tried */
    uint8_t attempts;                /**< transmissions in its last round */
} prepay_station_task_item_t;

/** @brief Totals of a task. */
typedef struct prepay_station_task_summary {
    size_t meters;    /**< meters in the task */
    size_t succeeded; /**< meters that answered normally */
    size_t abnormal;  /**< meters that refused with an abnormal reply */
    size_t timed_out; /**< meters that never answered */
    size_t other;     /**< meters that failed otherwise (build error, overflow) */
    size_t pending;   /**< meters not tried yet */
    bool finished;    /**< every meter has a final result */
} prepay_station_task_summary_t;

/**
 * @brief A batch task: one operation applied to many meters on one bus.
 *
 * Members are private; use the `prepay_station_task_*` functions.
 */
typedef struct prepay_station_task {
    uint32_t magic;                    /**< private */
    prepay_station_task_item_t *items; /**< private: caller's array */
    size_t count;                      /**< private */
    size_t next;                       /**< private: meter being tried */
    uint8_t round;                     /**< private: current round, from 1 */
    uint8_t max_rounds;                /**< private */
    bool started;                      /**< private */
    bool finished;                     /**< private */
    uint64_t start_at_ms;              /**< private: scheduled start */
    prepay_station_build_fn build;     /**< private */
    void *context;                     /**< private */
    uint8_t *data;                     /**< private: buffer for read data of each meter */
    size_t data_cap;                   /**< private */
} prepay_station_task_t;

/** @brief Outcome of one discovery probe, reported by the caller. */
typedef enum prepay_station_probe_outcome {
    PREPAY_STATION_PROBE_SILENT = 0,   /**< no reply: no meter matches the probe */
    PREPAY_STATION_PROBE_ANSWERED = 1, /**< one clean reply: exactly one meter matches */
    PREPAY_STATION_PROBE_COLLISION = 2 /**< garbled or several replies: more than one meter matches */
} prepay_station_probe_outcome_t;

/**
 * @brief Caller-owned state of an address discovery on one bus.
 *
 * Probes are reads of DI 04000401 (communication address) sent to addresses
 * whose high bytes are `AA` wildcards; a collision splits the probe on the
 * next address byte (A0 first, 100 BCD values each). Members are private.
 */
typedef struct prepay_station_discovery {
    uint32_t magic;                              /**< private */
    uint8_t depth;                               /**< private: bytes fixed in the current probe */
    uint8_t fixed[PREPAY_DLT645_ADDRESS_SIZE];   /**< private: values of the fixed low bytes */
    bool finished;                               /**< private */
    bool awaiting;                               /**< private: a probe was handed out and not reported */
    prepay_dlt645_address_t *found;              /**< private: caller's array */
    size_t found_cap;                            /**< private */
    size_t found_count;                          /**< private */
    uint32_t probes;                             /**< private: probes handed out */
} prepay_station_discovery_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Fills @p config with the defaults (`PREPAY_STATION_DEFAULT_*`).
 * @param config the settings to fill.
 *
 * **Errors:** none; does nothing if @p config is NULL.
 */
PREPAY_API void prepay_station_config_default(prepay_station_config_t *config);

/**
 * @brief Initialises a session (one bus).
 * @param session caller-owned state.
 * @param config settings, or NULL for the defaults.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p session is NULL, the reply
 * timeout is 0 or the preamble is above 4.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_init(prepay_station_session_t *session, const prepay_station_config_t *config);

/**
 * @brief Starts a request: encodes it (with the configured preamble) into @p tx.
 *
 * Broadcast requests (address `999999999999`, or function 08) get no reply
 * (clause 7.3): they finish as soon as they are sent, with ::PREPAY_OK.
 * Within the broadcast quiet time of the previous broadcast the request is
 * held: the step is WAIT until the quiet time ends, then prepay_station_poll()
 * encodes it into its @p tx and returns SEND.
 * For a read, the value bytes of the reply and of every follow-up frame are
 * joined into @p data (the DI is not repeated); pass NULL to keep only the last reply frame.
 * @param session the session; must not have a request outstanding.
 * @param request the request frame (from a `prepay_dlt645_request_*` builder); copied.
 * @param data buffer for joined read data, or NULL.
 * @param data_cap capacity of @p data.
 * @param now_ms the caller's monotonic time.
 * @param tx transmit buffer (::PREPAY_STATION_TX_MAX bytes always suffice).
 * @param tx_cap capacity of @p tx.
 * @param step what to do next (SEND).
 * @return ::PREPAY_OK, or an error; on error the session is unchanged.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised; ::PREPAY_E_STATION_BUSY if a
 * request is outstanding; ::PREPAY_E_STATION_BAD_REQUEST if @p request is a
 * reply or does not encode; ::PREPAY_E_BUFFER_TOO_SMALL if @p tx is too small.
 *
 * @par Example
 * One read over any byte stream (send_bytes, wait_bytes and now_ms are the caller's I/O and clock; examples/c/station_session.c does it over TCP):
 * @code
 * // The caller owns the socket (or UART) and the clock; the session owns the protocol.
 * static prepay_station_session_t session;
 * prepay_station_config_t config;
 * prepay_station_config_default(&config);
 * prepay_station_init(&session, &config);
 *
 * prepay_dlt645_address_t meter;
 * prepay_dlt645_frame_t request;
 * prepay_dlt645_address_from_string("000000000101", 12, &meter);
 * prepay_dlt645_request_read(&request, &meter, 0x00900200u);  // remaining amount
 *
 * uint8_t tx[PREPAY_STATION_TX_MAX], rx[256], data[PREPAY_DLT645_MAX_DATA];
 * prepay_station_step_t step;
 * int status = prepay_station_start(&session, &request, data, sizeof data, now_ms(), tx, sizeof tx, &step);
 * while (status == PREPAY_OK && step.action != PREPAY_STATION_DONE) {
 *     if (step.action == PREPAY_STATION_SEND) {
 *         send_bytes(fd, tx, step.send_len);
 *     }
 *     size_t n = wait_bytes(fd, rx, sizeof rx, step.wake_at_ms);  // 0: woke up with nothing
 *     status = n > 0 ? prepay_station_receive(&session, rx, n, now_ms(), tx, sizeof tx, &step)
 *                    : prepay_station_poll(&session, now_ms(), tx, sizeof tx, &step);
 * }
 * prepay_station_result_t result;
 * if (status == PREPAY_OK) {
 *     status = prepay_station_result(&session, &result);
 * }
 * // result.status: PREPAY_OK (value bytes in data[0..result.data_len)),
 * // PREPAY_E_DLT645_ABNORMAL (result.error) or PREPAY_E_STATION_TIMEOUT
 * @endcode
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_start(prepay_station_session_t *session, const prepay_dlt645_frame_t *request,
                                    uint8_t *data, size_t data_cap, uint64_t now_ms, uint8_t *tx, size_t tx_cap,
                                    prepay_station_step_t *step);

/**
 * @brief Gives the session bytes received from the bus (any chunk size).
 *
 * Frames that do not answer the outstanding request are counted and ignored.
 * A follow-up reply makes the session send a function-12 request (SEND).
 * Bytes received while no request is outstanding are dropped.
 * @param session the session.
 * @param rx received bytes; may be NULL if @p rx_len is 0.
 * @param rx_len number of bytes.
 * @param now_ms the caller's monotonic time.
 * @param tx transmit buffer for a follow-up request.
 * @param tx_cap capacity of @p tx.
 * @param step what to do next.
 * @return ::PREPAY_OK, or an error (the session state is then unchanged).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised; ::PREPAY_E_BUFFER_TOO_SMALL if a
 * follow-up request does not fit @p tx.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_receive(prepay_station_session_t *session, const uint8_t *rx, size_t rx_len,
                                      uint64_t now_ms, uint8_t *tx, size_t tx_cap, prepay_station_step_t *step);

/**
 * @brief Tells the session that the bytes it handed out (SEND) have left the line at @p now_ms.
 *
 * Optional. On a half-duplex bus (RS-485, clause 7.3) a meter's reply delay
 * counts from the end of the request, and at 1200 bit/s a long request
 * takes a noticeable time to send; a transport that knows when its bytes
 * were transmitted (after `tcdrain()`) calls this so the reply timeout
 * starts then. For a broadcast the request is finished (DONE), and the
 * broadcast quiet time starts now.
 * @param session the session.
 * @param now_ms the caller's monotonic time.
 * @param step what to do next.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_sent(prepay_station_session_t *session, uint64_t now_ms, prepay_station_step_t *step);

/**
 * @brief Lets time pass: after the reply timeout, retransmits (SEND) or finishes with a timeout (DONE).
 * @param session the session.
 * @param now_ms the caller's monotonic time.
 * @param tx transmit buffer for a retransmission.
 * @param tx_cap capacity of @p tx.
 * @param step what to do next.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_poll(prepay_station_session_t *session, uint64_t now_ms, uint8_t *tx, size_t tx_cap,
                                   prepay_station_step_t *step);

/**
 * @brief The result of the finished request; the session becomes idle.
 * @param session the session.
 * @param out the result (its `status` is how the request ended).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised; ::PREPAY_E_STATION_NOT_DONE if
 * no request has finished.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_result(prepay_station_session_t *session, prepay_station_result_t *out);

/**
 * @brief Abandons the outstanding request, if any (e.g. the connection closed); the session becomes idle.
 * @param session the session.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_cancel(prepay_station_session_t *session);

/**
 * @brief The counters of a session.
 * @param session the session.
 * @param out the counters.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_stats(const prepay_station_session_t *session, prepay_station_stats_t *out);

/**
 * @brief Prepares a task over @p count meters whose addresses are in @p items.
 * @param task caller-owned state.
 * @param items the meters; results are written here.
 * @param count number of meters (> 0).
 * @param build makes each meter's request (read, write prices, relay, recharge, ...).
 * @param context passed to @p build.
 * @param start_at_ms do not start before this time (0 = at once).
 * @param rounds how many times a failed meter is tried in total, in separate passes (1..255).
 * @param data buffer for each read's joined data (reused per meter), or NULL.
 * @param data_cap capacity of @p data.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers, @p count 0 or @p rounds 0.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_task_init(prepay_station_task_t *task, prepay_station_task_item_t *items, size_t count,
                                        prepay_station_build_fn build, void *context, uint64_t start_at_ms,
                                        uint8_t rounds, uint8_t *data, size_t data_cap);

/**
 * @brief Drives a task on a session after time passed (or to start it).
 *
 * Before the scheduled start, returns WAIT with `wake_at_ms` at the start.
 * When a meter's request finishes, its result is recorded and the next
 * meter's request is started at once (SEND). DONE means the whole task finished.
 * @param task the task.
 * @param session an idle session, used only by this task until it finishes.
 * @param now_ms the caller's monotonic time.
 * @param tx transmit buffer.
 * @param tx_cap capacity of @p tx.
 * @param step what to do next.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if the task
 * or session is not initialised; ::PREPAY_E_STATION_BUSY if the session has
 * another request outstanding; errors of prepay_station_poll().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_task_poll(prepay_station_task_t *task, prepay_station_session_t *session,
                                        uint64_t now_ms, uint8_t *tx, size_t tx_cap, prepay_station_step_t *step);

/**
 * @brief Drives a task with bytes received from the bus.
 * @param task the task.
 * @param session the task's session.
 * @param rx received bytes.
 * @param rx_len number of bytes.
 * @param now_ms the caller's monotonic time.
 * @param tx transmit buffer.
 * @param tx_cap capacity of @p tx.
 * @param step what to do next.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_station_task_poll() and prepay_station_receive().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_task_receive(prepay_station_task_t *task, prepay_station_session_t *session,
                                           const uint8_t *rx, size_t rx_len, uint64_t now_ms, uint8_t *tx,
                                           size_t tx_cap, prepay_station_step_t *step);

/**
 * @brief Totals of a task so far.
 * @param task the task.
 * @param out the totals.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_task_summary(const prepay_station_task_t *task, prepay_station_task_summary_t *out);

/**
 * @brief Prepares an address discovery.
 * @param discovery caller-owned state.
 * @param found array receiving the addresses found.
 * @param found_cap capacity of @p found.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or @p found_cap 0.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_discovery_init(prepay_station_discovery_t *discovery, prepay_dlt645_address_t *found,
                                             size_t found_cap);

/**
 * @brief The next probe to send (a read of DI 04000401 to a partly wildcard address).
 *
 * Send it with a session and report how it went with
 * prepay_station_discovery_report() before asking for the next one.
 * @param discovery the discovery.
 * @param request the probe request.
 * @return 1 if @p request holds a probe, 0 if the discovery is finished, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE if not
 * initialised or the previous probe was not reported.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_discovery_next(prepay_station_discovery_t *discovery, prepay_dlt645_frame_t *request);

/**
 * @brief Reports the outcome of the last probe.
 * @param discovery the discovery.
 * @param outcome silent, answered or collision.
 * @param address the address that answered (ANSWERED only; otherwise may be NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a bad outcome or a missing
 * address; ::PREPAY_E_BAD_STATE if no probe is outstanding;
 * ::PREPAY_E_STATION_TOO_MANY_METERS if the array is full (the discovery
 * stops; the addresses found so far stay valid); a collision on a fully
 * fixed address (two meters with one address) is recorded once and not split.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_station_discovery_report(prepay_station_discovery_t *discovery,
                                               prepay_station_probe_outcome_t outcome,
                                               const prepay_dlt645_address_t *address);

/**
 * @brief Number of addresses found so far.
 * @param discovery the discovery.
 * @return the count (0 if @p discovery is NULL or not initialised).
 *
 * **Errors:** none.
 */
PREPAY_API size_t prepay_station_discovery_count(const prepay_station_discovery_t *discovery);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_station_init(...) PREPAY_CONFIG_GUARDED(prepay_station_init, __VA_ARGS__)
#define prepay_station_task_init(...) PREPAY_CONFIG_GUARDED(prepay_station_task_init, __VA_ARGS__)
#define prepay_station_discovery_init(...) PREPAY_CONFIG_GUARDED(prepay_station_discovery_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_STATION_H */
