/*
 * nab_driver.c
 *		Runs one anomaly detection method over every series of a NAB split
 *		and writes the detections CSV that /work/shared/tools/score_anomaly.py
 *		scores (file,timestamp,is_anomaly).
 *
 * It goes through the same public entry point as the SQL function
 * datalayer.detect_anomalies(): anomaly_options_init(), the method and the
 * sensitivity (plus any option given on the command line), anomaly_detect()
 * over the values in file order, and it writes the points the SQL function
 * reports as is_onset (default: a monitor alerts on onsets) or, with
 * --flag anomaly, every point it reports as is_anomaly.  The list of files
 * is the set of keys of labels.json; timestamps are copied verbatim.
 *
 * usage: nab_driver DATA_DIR OUT.csv METHOD SENSITIVITY [--flag onset|anomaly]
 *                   [option=value ...]
 * options: window alpha period cooldown warmup hazard max_run_length
 *          max_anomalies alarm score_window score_horizon  (the names of
 *          detect_anomalies()' JSON options; alarm 1 likelihood, 2 threshold)
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "analytics/anomaly.h"

typedef struct Series
{
	size_t		n;
	size_t		cap;
	double	   *values;
	char	  **stamps;
} Series;

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		size;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = dl_alloc((size_t) size + 1);
	if (fread(buf, 1, (size_t) size, f) != (size_t) size)
	{
		fclose(f);
		dl_free(buf);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t) size;
	return buf;
}

/*
 * The keys of labels.json's top-level object: every string at depth 1 that
 * is followed by a colon.  Enough for NAB's file, not a JSON parser.
 */
static int
label_files(const char *json, char ***names)
{
	int			depth = 0;
	int			count = 0;
	int			cap = 64;
	const char *p = json;

	*names = dl_alloc(sizeof(char *) * (size_t) cap);
	while (*p)
	{
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (*p == '"')
		{
			const char *start = ++p;
			const char *q;

			while (*p && *p != '"')
				p++;
			if (!*p)
				break;
			q = p + 1;
			while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
				q++;
			if (depth == 1 && *q == ':')
			{
				size_t		len = (size_t) (p - start);

				if (count == cap)
				{
					cap *= 2;
					*names = dl_realloc(*names, sizeof(char *) * (size_t) cap);
				}
				(*names)[count] = dl_alloc(len + 1);
				memcpy((*names)[count], start, len);
				(*names)[count][len] = '\0';
				count++;
			}
		}
		p++;
	}
	return count;
}

/* timestamp,value rows after a header; an unparsable value is missing (NaN) */
static bool
load_series(const char *path, Series *s)
{
	size_t		len;
	char	   *text = read_file(path, &len);
	char	   *line;
	char	   *save = NULL;
	bool		header = true;

	if (text == NULL)
		return false;
	memset(s, 0, sizeof(*s));
	for (line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
	{
		char	   *comma = strchr(line, ',');
		char	   *end;
		double		v;

		if (header)
		{
			header = false;
			continue;
		}
		if (comma == NULL)
			continue;
		*comma = '\0';
		v = strtod(comma + 1, &end);
		if (end == comma + 1)
			v = NAN;
		if (s->n == s->cap)
		{
			s->cap = s->cap ? 2 * s->cap : 1024;
			s->values = dl_realloc(s->values, sizeof(double) * s->cap);
			s->stamps = dl_realloc(s->stamps, sizeof(char *) * s->cap);
		}
		s->values[s->n] = v;
		s->stamps[s->n] = dl_alloc(strlen(line) + 1);
		strcpy(s->stamps[s->n], line);
		s->n++;
	}
	dl_free(text);
	return true;
}

static void
free_series(Series *s)
{
	size_t		i;

	for (i = 0; i < s->n; i++)
		dl_free(s->stamps[i]);
	if (s->values)
		dl_free(s->values);
	if (s->stamps)
		dl_free(s->stamps);
}

static bool
set_option(AnomalyOptions *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	double		v;
	size_t		klen;

	if (eq == NULL)
		return false;
	klen = (size_t) (eq - arg);
	v = atof(eq + 1);
#define KEY(name) (klen == strlen(name) && strncmp(arg, name, klen) == 0)
	if (KEY("window"))
		o->window = (int) v;
	else if (KEY("alpha"))
		o->alpha = v;
	else if (KEY("period"))
		o->period = (int) v;
	else if (KEY("cooldown"))
		o->cooldown = (int) v;
	else if (KEY("warmup"))
		o->warmup = (int) v;
	else if (KEY("hazard"))
		o->hazard = v;
	else if (KEY("max_run_length"))
		o->max_run_length = (int) v;
	else if (KEY("max_anomalies"))
		o->max_anomalies = v;
	else if (KEY("alarm"))
		o->alarm = (int) v;
	else if (KEY("score_window"))
		o->score_window = (int) v;
	else if (KEY("score_horizon"))
		o->score_horizon = (int) v;
	else
		return false;
#undef KEY
	return true;
}

int
main(int argc, char **argv)
{
	const char *dir;
	const char *out_path;
	AnomalyOptions options;
	bool		onsets = true;
	char		path[4096];
	char	   *json;
	char	  **files;
	size_t		len;
	int			nfiles;
	int			i;
	FILE	   *out;
	size_t		points = 0;
	size_t		flagged = 0;
	double		seconds = 0.0;

	if (argc < 5)
	{
		fprintf(stderr, "usage: %s DATA_DIR OUT.csv METHOD SENSITIVITY [--flag onset|anomaly] [option=value ...]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	out_path = argv[2];
	anomaly_options_init(&options);
	if (!anomaly_method_from_name(argv[3], &options.method))
	{
		fprintf(stderr, "unknown method %s\n", argv[3]);
		return 2;
	}
	options.sensitivity = atof(argv[4]);
	for (i = 5; i < argc; i++)
	{
		if (strcmp(argv[i], "--flag") == 0 && i + 1 < argc)
		{
			onsets = strcmp(argv[++i], "anomaly") != 0;
			continue;
		}
		if (!set_option(&options, argv[i]))
		{
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (anomaly_options_validate(&options) != ANOMALY_OK)
	{
		const char *bad = anomaly_options_invalid(&options);

		fprintf(stderr, "invalid options: %s\n", bad ? bad : "sensitivity");
		return 2;
	}

	snprintf(path, sizeof(path), "%s/labels.json", dir);
	json = read_file(path, &len);
	if (json == NULL)
	{
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	nfiles = label_files(json, &files);
	out = fopen(out_path, "w");
	if (out == NULL)
	{
		fprintf(stderr, "cannot write %s\n", out_path);
		return 1;
	}
	fprintf(out, "file,timestamp,is_anomaly\n");
	for (i = 0; i < nfiles; i++)
	{
		Series		s;
		AnomalyResult r;
		AnomalyStatus status;
		clock_t		t0;
		size_t		j;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (!load_series(path, &s))
		{
			fprintf(stderr, "cannot read %s\n", path);
			return 1;
		}
		anomaly_result_init(&r, s.n);
		t0 = clock();
		status = anomaly_detect(s.values, s.n, &options, &r);
		seconds += (double) (clock() - t0) / CLOCKS_PER_SEC;
		if (status != ANOMALY_OK)
		{
			fprintf(stderr, "%s: %s\n", files[i], anomaly_status_message(status));
			return 1;
		}
		if (getenv("NAB_VERBOSE"))
			fprintf(stderr, "%-60s n %6zu method %-12s period %4d\n", files[i], s.n,
					anomaly_method_name(r.method_used), r.period_used);
		for (j = 0; j < s.n; j++)
			if (onsets ? r.is_onset[j] : r.is_anomaly[j])
			{
				fprintf(out, "%s,%s,1\n", files[i], s.stamps[j]);
				flagged++;
			}
		points += s.n;
		anomaly_result_free(&r);
		free_series(&s);
		dl_free(files[i]);
	}
	fclose(out);
	dl_free(files);
	dl_free(json);
	fprintf(stderr, "# %s sensitivity %.2f: %d files, %zu points, %zu flagged, detection %.3f s\n",
			argv[3], options.sensitivity, nfiles, points, flagged, seconds);
	return 0;
}
