"""Prometheus metrics, read at scrape time from the job store and the queue.

Nothing is counted in the API process itself: in rq mode the frames are rendered by worker
processes, so the counters live in the store (Redis) and every API process reports the same
numbers. Each app gets its own registry (no global state; several apps can live in a test).

    ecg_render_jobs{status}          jobs that reached each status (counter)
    ecg_render_frames_total          video frames encoded (counter)
    ecg_render_fps                   frames per second of the latest progress report (gauge)
    ecg_render_queue_depth           jobs waiting for a worker (gauge)
    ecg_render_workers               workers able to take jobs (gauge)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.service.jobs import JobStatus, JobStore

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _RenderCollector(Collector):
    def __init__(
        self,
        store: JobStore,
        queue_depth: Callable[[], int],
        worker_count: Callable[[], int],
    ):
        self.store = store
        self.queue_depth = queue_depth
        self.worker_count = worker_count

    def collect(self) -> Iterator[Metric]:
        stats = self.store.stats()
        jobs = CounterMetricFamily(
            "ecg_render_jobs", "Render jobs that reached each status", labels=["status"]
        )
        for status in JobStatus:
            jobs.add_metric([str(status)], stats.jobs_by_status.get(str(status), 0))
        yield jobs
        yield CounterMetricFamily(
            "ecg_render_frames", "Video frames encoded", value=stats.frames_rendered
        )
        yield GaugeMetricFamily(
            "ecg_render_fps",
            "Frames per second of the latest progress report",
            value=stats.render_fps,
        )
        yield GaugeMetricFamily(
            "ecg_render_queue_depth", "Jobs waiting for a worker", value=self.queue_depth()
        )
        yield GaugeMetricFamily(
            "ecg_render_workers", "Workers able to take jobs", value=self.worker_count()
        )


def build_registry(
    store: JobStore, queue_depth: Callable[[], int], worker_count: Callable[[], int]
) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_RenderCollector(store, queue_depth, worker_count))
    return registry


def render_metrics(registry: CollectorRegistry) -> bytes:
    """The text exposition format of ``registry``."""
    return generate_latest(registry)
