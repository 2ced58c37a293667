import AsyncHTTPClient
import EaselCore
import EaselServices
import EaselStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Delivers the outbox: POSTs each due delivery with an HMAC signature, marks 2xx as delivered, retries anything else
/// on the `RetryPolicy` schedule, and dead-letters what never succeeds. Redirects are not followed, and every
/// resolved address of the target is checked against the SSRF policy right before connecting; the connection then
/// goes to the checked address itself (a short-lived client pinned to it), never to a second DNS answer.
public final class WebhookSender: Service {
    /// Renders a delivery's JSON body from the task it reports.
    public typealias Renderer = @Sendable (Delivery, TaskRecord) -> JSONValue

    private let outbox: any NotificationOutbox
    private let tasks: any TaskStore
    private let settings: WorkerSettings
    private let render: Renderer
    private let secret: @Sendable (Tenant) -> [UInt8]
    private let wake: WakeSignal
    private let logger: Logger
    private let resolver: AddressResolver
    private let permitsAddress: @Sendable (String) -> Bool

    /// Creates the sender. Its shared HTTP client exists only while `run()` does; targets outside
    /// `delivery.allowed_hosts` are resolved with `resolver` and reached through a client pinned to the checked address.
    public convenience init(outbox: any NotificationOutbox, tasks: any TaskStore, settings: WorkerSettings, wake: WakeSignal,
                            secret: @escaping @Sendable (Tenant) -> [UInt8], render: @escaping Renderer, logger: Logger,
                            resolver: AddressResolver = .system) {
        self.init(outbox: outbox, tasks: tasks, settings: settings, wake: wake, secret: secret, render: render,
                  logger: logger, resolver: resolver, permitsAddress: nil)
    }

    // `permitsAddress` lets tests stand a loopback receiver in for a public host; nil means the callback policy.
    init(outbox: any NotificationOutbox, tasks: any TaskStore, settings: WorkerSettings, wake: WakeSignal,
         secret: @escaping @Sendable (Tenant) -> [UInt8], render: @escaping Renderer, logger: Logger,
         resolver: AddressResolver, permitsAddress: (@Sendable (String) -> Bool)?) {
        self.outbox = outbox
        self.tasks = tasks
        self.settings = settings
        self.wake = wake
        self.secret = secret
        self.render = render
        self.logger = logger
        self.resolver = resolver
        self.permitsAddress = permitsAddress ?? { [policy = settings.callbackPolicy] in policy.permits(resolvedAddress: $0) }
    }

    /// The delivery client's settings; `pin` maps the target host to the address that passed the check.
    static func clientConfiguration(pin: (host: String, address: String)? = nil) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(5), read: .seconds(15)))
        configuration.decompression = .disabled
        if let pin { configuration.dnsOverride = [pin.host: pin.address] }
        return configuration
    }

    public func run() async throws {
        // Deliveries that were mid-send when the previous process died are due again now, not after their lease.
        try? await outbox.releaseDeliveryLeases()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration())
        await withDiscardingTaskGroup { group in
            group.addTask { [wake] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    wake.wake()
                }
            }
            for await _ in wake.wakes.cancelOnGracefulShutdown() {
                await sendDue(client: client)
            }
            group.cancelAll()
        }
        try? await client.shutdown()
    }

    /// A claim must outlast one attempt (15 s) with room to record it, or another node would send it again meanwhile.
    static let minimumClaim: Duration = .seconds(20)

    /// Sends every delivery that is due now (in parallel batches of 16).
    func sendDue(client: HTTPClient, now: Date = Date()) async {
        while !Task.isCancelled {
            let due: [Delivery]
            do {
                due = try await outbox.claimDueDeliveries(now: now, leaseUntil: now + max(settings.lease, Self.minimumClaim).timeInterval,
                                                           limit: 16)
            } catch {
                logger.error("could not claim deliveries", metadata: ["error": "\(error)"])
                return
            }
            if due.isEmpty { return }
            await withDiscardingTaskGroup { group in
                for delivery in due { group.addTask { await self.attempt(delivery, client: client) } }
            }
        }
    }

    private func attempt(_ claimed: Delivery, client: HTTPClient) async {
        var delivery = claimed
        delivery.attempts += 1
        let outcome = await send(delivery, client: client)
        let now = Date()
        switch outcome {
        case .success:
            delivery.status = .delivered
            delivery.deliveredAt = now
            delivery.lastError = nil
        case .failure(let reason, let retryable):
            delivery.lastError = reason
            if retryable, let delay = settings.deliveryRetry.delay(afterAttempts: delivery.attempts) {
                delivery.nextAttemptAt = now + delay.timeInterval
            } else {
                delivery.status = .dead
                logger.warning("delivery dead-lettered", metadata: ["delivery": "\(delivery.id)", "reason": "\(reason)"])
            }
        }
        TaskMetrics.deliveryAttempted(delivery, outcome: delivery.status == .delivered ? .delivered
                                            : delivery.status == .dead ? .dead : .retried)
        do {
            try await outbox.recordAttempt(delivery)
        } catch {
            logger.error("could not record delivery attempt", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    private enum Outcome {
        case success
        case failure(String, retryable: Bool)
    }

    private func send(_ delivery: Delivery, client: HTTPClient) async -> Outcome {
        let task: TaskRecord
        do {
            guard let found = try await tasks.task(id: delivery.taskId, tenant: delivery.tenant) else {
                return .failure("the task no longer exists", retryable: false)
            }
            task = found
        } catch {
            return .failure("store unavailable", retryable: true)
        }
        guard let url = URL(string: delivery.url), let rawHost = url.host, !rawHost.isEmpty else {
            return .failure("invalid URL", retryable: false)
        }
        // The name exactly as the HTTP client will look it up, so the pin applies to it.
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        var pin: (host: String, address: String)?
        if !settings.callbackPolicy.isAllowed(host: host, port: url.port) {
            let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
            guard let addresses = try? await resolver.resolve(host, port), let address = addresses.first else {
                return .failure("could not resolve \(host)", retryable: true)
            }
            guard addresses.allSatisfy(permitsAddress) else {
                return .failure("\(host) resolves to a private or internal address", retryable: false)
            }
            pin = (host, address)
        }
        let body = Array(render(delivery, task).encoded())
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Easel-Webhook/1")
        request.headers.add(name: WebhookSignature.idHeader, value: delivery.id)
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebhookSignature.signatureHeader,
                            value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret(delivery.tenant)))
        request.body = .bytes(ByteBuffer(bytes: body))
        guard let pin else { return await post(request, client: client) }
        let pinned = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(pin: pin))
        let outcome = await post(request, client: pinned)
        try? await pinned.shutdown()
        return outcome
    }

    private func post(_ request: HTTPClientRequest, client: HTTPClient) async -> Outcome {
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            switch response.status.code {
            case 200..<300: return .success
            case 300..<400: return .failure("HTTP \(response.status.code): redirects are not followed", retryable: true)
            default: return .failure("HTTP \(response.status.code)", retryable: true)
            }
        } catch {
            return .failure("connection failed: \(type(of: error))", retryable: true)
        }
    }
}
