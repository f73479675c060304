/*
 * job_state.h
 *		The life of a job run, as recorded in datalayer.job_run.status.
 *
 * running -> succeeded | failed | timed_out | cancelled   (the worker records it)
 * running -> terminated    (the worker exited without recording: killed, FATAL)
 * running -> interrupted   (the server or the scheduler stopped under it)
 * not_started              (no background worker slot could be had)
 */
#ifndef DATALAYER_JOB_STATE_H
#define DATALAYER_JOB_STATE_H

typedef enum JobRunStatus
{
	JOB_RUN_RUNNING,
	JOB_RUN_SUCCEEDED,
	JOB_RUN_FAILED,
	JOB_RUN_TIMED_OUT,
	JOB_RUN_CANCELLED,
	JOB_RUN_TERMINATED,
	JOB_RUN_INTERRUPTED,
	JOB_RUN_NOT_STARTED
} JobRunStatus;

static inline const char *
job_run_status_name(JobRunStatus status)
{
	switch (status)
	{
		case JOB_RUN_RUNNING:
			return "running";
		case JOB_RUN_SUCCEEDED:
			return "succeeded";
		case JOB_RUN_FAILED:
			return "failed";
		case JOB_RUN_TIMED_OUT:
			return "timed_out";
		case JOB_RUN_CANCELLED:
			return "cancelled";
		case JOB_RUN_TERMINATED:
			return "terminated";
		case JOB_RUN_INTERRUPTED:
			return "interrupted";
		case JOB_RUN_NOT_STARTED:
			return "not_started";
	}
	return "unknown";
}

#endif							/* DATALAYER_JOB_STATE_H */
