import Configuration
import EaselCore
import EaselWorker

extension EaselConfiguration {
    /// How long outputs and finished tasks are kept, per dialect. Keys (environment variable, default):
    /// - `outputs.vod_ttl_seconds` (`EASEL_OUTPUTS_VOD_TTL_SECONDS`, 604800 = 7 days): temporary VOD and REST outputs;
    /// - `outputs.mps_ttl_seconds` (`EASEL_OUTPUTS_MPS_TTL_SECONDS`, 43200 = 12 hours): temporary MPS outputs;
    /// - `outputs.openai_ttl_seconds` (`EASEL_OUTPUTS_OPENAI_TTL_SECONDS`, 86400 = 1 day): OpenAI URLs;
    /// - `outputs.vod_task_retention_seconds` (`EASEL_OUTPUTS_VOD_TASK_RETENTION_SECONDS`, 259200 = 3 days as
    ///   Tencent's): how long finished VOD and REST tasks stay queryable;
    /// - `outputs.task_retention_seconds` (`EASEL_OUTPUTS_TASK_RETENTION_SECONDS`, 604800 = 7 days): the same for MPS
    ///   and OpenAI tasks.
    public struct OutputLifetimes: Sendable, Equatable {
        /// Seconds a temporary VOD or REST output lives.
        public var vodTTLSeconds = WorkerSettings.defaults.temporaryOutputTTL[.vod]?.wholeSeconds ?? 0
        /// Seconds a temporary MPS output lives.
        public var mpsTTLSeconds = WorkerSettings.defaults.temporaryOutputTTL[.mps]?.wholeSeconds ?? 0
        /// Seconds an OpenAI output URL lives.
        public var openAITTLSeconds = WorkerSettings.defaults.temporaryOutputTTL[.openai]?.wholeSeconds ?? 0
        /// Seconds a finished VOD or REST task stays queryable.
        public var vodTaskRetentionSeconds = WorkerSettings.defaults.taskRetention[.vod]?.wholeSeconds ?? 0
        /// Seconds a finished MPS or OpenAI task stays queryable.
        public var taskRetentionSeconds = WorkerSettings.defaults.taskRetention[.mps]?.wholeSeconds ?? 0

        /// Defaults: Tencent's lifetimes.
        public init() {}

        /// How long temporary outputs are served, per dialect (REST tasks are VOD's).
        var temporaryOutputTTL: [Dialect: Duration] {
            [.vod: .seconds(vodTTLSeconds), .rest: .seconds(vodTTLSeconds), .mps: .seconds(mpsTTLSeconds),
             .openai: .seconds(openAITTLSeconds)]
        }

        /// How long finished tasks stay queryable, per dialect (REST tasks are VOD's).
        var taskRetention: [Dialect: Duration] {
            [.vod: .seconds(vodTaskRetentionSeconds), .rest: .seconds(vodTaskRetentionSeconds),
             .mps: .seconds(taskRetentionSeconds), .openai: .seconds(taskRetentionSeconds)]
        }
    }
}
