/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The file formats of the modem adapters, without daemons: push.d consumer
 * files and matching, the oFono provisioning file (writer and the reader the
 * plugin uses), and their caps. */

#include <glib/gstdio.h>

#include "omacp.h"
#include "provision-file.h"
#include "push-dispatch.h"

static char *
make_dir(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("omacp-adapter-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
}

static void
remove_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		g_unlink(path);
	}
	g_rmdir(dir);
}

#define GOOD "[Consumer]\nBusName=org.example.Mms\nObjectPath=/org/example/agent\n"

static const struct {
	const char *name;
	const char *text;
	const char *error; /* substring of the message, NULL: loads */
} consumer_cases[] = {
	{ "minimal", GOOD "ContentType=application/vnd.wap.mms-message\n", NULL },
	{ "appid only", GOOD "ApplicationId=4\n", NULL },
	{ "no group", "[Other]\nBusName=a.b\n", "no [Consumer] group" },
	{ "no match keys", GOOD, "neither ContentType nor ApplicationId" },
	{ "no bus name", "[Consumer]\nObjectPath=/a\nContentType=x/y\n", "has no BusName" },
	{ "bad bus name", "[Consumer]\nBusName=no dots\nObjectPath=/a\nContentType=x/y\n",
	  "is not a D-Bus name" },
	{ "bad path", "[Consumer]\nBusName=a.b\nObjectPath=a/b\nContentType=x/y\n",
	  "is not an object path" },
	{ "bad interface", GOOD "ContentType=x/y\nInterface=nodots\n", "is not an interface name" },
	{ "bad method", GOOD "ContentType=x/y\nMethod=a.b\n", "is not a member name" },
	{ "bad bus", GOOD "ContentType=x/y\nBus=user\n", "neither 'system' nor 'session'" },
	{ "bad args", GOOD "ContentType=x/y\nArguments=all\n", "Arguments 'all'" },
	{ "bad address", GOOD "ContentType=x/y\nAddress=nowhere\n", "is not a D-Bus address" },
	{ "not a keyfile", "this is not a keyfile\n", "push.d:" },
};

static void
test_consumer_files(void)
{
	g_autofree char *dir = make_dir();

	for (guint i = 0; i < G_N_ELEMENTS(consumer_cases); i++) {
		g_autofree char *path = g_build_filename(dir, "c.conf", NULL);
		g_autoptr(OmacpPushConsumer) consumer = NULL;
		g_autoptr(GError) error = NULL;
		gboolean ok;

		write_file(dir, "c.conf", consumer_cases[i].text);
		ok = omacp_push_consumer_load(path, &consumer, &error);
		if (consumer_cases[i].error == NULL) {
			g_assert_no_error(error);
			g_assert_true(ok);
			g_assert_cmpstr(consumer->id, ==, "c");
			/* defaults */
			g_assert_cmpstr(consumer->interface, ==, "org.ofono.PushNotificationAgent");
			g_assert_cmpstr(consumer->method, ==, "ReceiveNotification");
			g_assert_cmpint(consumer->bus_type, ==, G_BUS_TYPE_SYSTEM);
			g_assert_cmpint(consumer->args, ==, OMACP_PUSH_ARGS_NOTIFICATION_INFO);
		} else {
			g_assert_false(ok);
			g_assert_null(consumer);
			g_assert_error(error, OMACP_ERROR, error->code);
			if (strstr(error->message, consumer_cases[i].error) == NULL)
				g_error("%s: '%s' lacks '%s'", consumer_cases[i].name,
				        error->message, consumer_cases[i].error);
			g_assert_nonnull(strstr(error->message, path));
		}
	}
	remove_dir(dir);
}

static void
test_consumer_too_large(void)
{
	g_autofree char *dir = make_dir();
	g_autofree char *path = g_build_filename(dir, "big.conf", NULL);
	g_autoptr(GString) text = g_string_new(GOOD "ContentType=x/y\n");
	g_autoptr(OmacpPushConsumer) consumer = NULL;
	g_autoptr(GError) error = NULL;

	while (text->len <= OMACP_PUSH_DISPATCH_MAX_FILE_SIZE)
		g_string_append(text, "# padding padding padding padding padding padding\n");
	write_file(dir, "big.conf", text->str);
	g_assert_false(omacp_push_consumer_load(path, &consumer, &error));
	g_assert_error(error, OMACP_ERROR, OMACP_ERROR_TOO_LARGE);
	remove_dir(dir);
}

static void
test_dispatcher_cap(void)
{
	g_autofree char *dir = make_dir();
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(OmacpPushDispatcher) dispatcher = NULL;
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < OMACP_PUSH_DISPATCH_MAX_CONSUMERS + 3; i++) {
		g_autofree char *name = g_strdup_printf("%03u.conf", i);

		write_file(dir, name, GOOD "ContentType=*\n");
	}
	write_file(dir, "broken.conf", "[Consumer]\n");
	write_file(dir, "ignored.txt", "not a .conf");
	dispatcher = omacp_push_dispatcher_new(dir, warnings, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(omacp_push_dispatcher_get_n_consumers(dispatcher), ==,
	                 OMACP_PUSH_DISPATCH_MAX_CONSUMERS);
	/* 3 over the cap + the broken one */
	g_assert_cmpuint(warnings->len, ==, 4);
	remove_dir(dir);
}

static void
test_dispatcher_missing_dir(void)
{
	g_autoptr(OmacpPushDispatcher) dispatcher = NULL;
	g_autoptr(GError) error = NULL;

	dispatcher = omacp_push_dispatcher_new("/nonexistent/omacp/push.d", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(omacp_push_dispatcher_get_n_consumers(dispatcher), ==, 0);
}

static void
test_dispatcher_match(void)
{
	g_autofree char *dir = make_dir();
	g_autoptr(OmacpPushDispatcher) dispatcher = NULL;
	g_autoptr(GError) error = NULL;
	static const struct {
		const char *content_type;
		gint64 app_code;
		const char *app_id;
		const char *expected; /* ids, comma separated */
	} cases[] = {
		{ "application/vnd.wap.mms-message", 4, "x-wap-application:mms.ua", "a,b,c,e" },
		{ "Application/VND.WAP.MMS-message; charset=x", -1, NULL, "a,e" },
		{ "text/vnd.wap.si", 2, "x-wap-application:wml.ua", "d,e" },
		{ "application/x-other", -1, "http://example.com/app", "e,f" },
		{ "application/x-other", -1, NULL, "e" },
	};

	write_file(dir, "a.conf", GOOD "ContentType=application/vnd.wap.mms-message\n");
	write_file(dir, "b.conf", GOOD "ApplicationId=x-wap-application:mms.ua\n");
	write_file(dir, "c.conf", GOOD "ApplicationId=0x04\n");
	write_file(dir, "d.conf", GOOD "ApplicationId=wml.ua;99\n");
	write_file(dir, "e.conf", GOOD "ContentType=*\n");
	write_file(dir, "f.conf", GOOD "ApplicationId=http://example.com/app\n");
	dispatcher = omacp_push_dispatcher_new(dir, NULL, &error);
	g_assert_no_error(error);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		OmacpPush push = { 0 };
		g_autoptr(GPtrArray) matched = NULL;
		g_autoptr(GString) ids = g_string_new(NULL);

		push.content_type = (char *) cases[i].content_type;
		push.has_app_id = cases[i].app_id != NULL || cases[i].app_code >= 0;
		push.app_id_code = cases[i].app_code;
		push.app_id = (char *) cases[i].app_id;
		matched = omacp_push_dispatcher_match(dispatcher, &push);
		for (guint k = 0; k < matched->len; k++) {
			const OmacpPushConsumer *consumer = matched->pdata[k];

			g_string_append_printf(ids, "%s%s", k ? "," : "", consumer->id);
		}
		g_assert_cmpstr(ids->str, ==, cases[i].expected);
	}
	remove_dir(dir);
}

static OmacpProfile *
profile(OmacpProfileKind kind, const char *name, GVariant *settings, GVariant *secrets)
{
	OmacpProfile *p = g_new0(OmacpProfile, 1);

	p->kind = kind;
	p->op = OMACP_OP_SET;
	p->identity = g_strdup("test");
	p->name = g_strdup(name);
	p->settings = g_variant_ref_sink(settings);
	p->secrets = secrets != NULL ? g_variant_ref_sink(secrets) : NULL;
	p->risks = g_ptr_array_new_with_free_func(g_free);
	return p;
}

static GVariant *
dict(const char *first_key, ...)
{
	GVariantBuilder b;
	va_list ap;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	va_start(ap, first_key);
	for (const char *key = first_key; key != NULL; key = va_arg(ap, const char *))
		g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(va_arg(ap, char *)));
	va_end(ap);
	return g_variant_builder_end(&b);
}

static void
test_provision_roundtrip(void)
{
	g_autofree char *dir = make_dir();
	g_autofree char *path = g_build_filename(dir, "sub", "p.conf", NULL);
	g_autoptr(GPtrArray) profiles =
	        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);
	g_autoptr(OmacpOfonoContextSettings) internet = NULL;
	g_autoptr(OmacpOfonoContextSettings) mms = NULL;
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	g_ptr_array_add(profiles, profile(OMACP_PROFILE_INTERNET, "Net",
	                                  dict("apn", "internet.example", "username", "u", "auth",
	                                       "pap", "ip-type", "ipv4v6", NULL),
	                                  dict("password", "pw", NULL)));
	g_ptr_array_add(profiles, profile(OMACP_PROFILE_MMS, "Pics",
	                                  dict("mmsc", "http://mmsc.example/", "mms-proxy",
	                                       "10.1.1.1:80", NULL),
	                                  NULL));
	g_assert_true(omacp_ofono_provision_write_full(path, "310150", "Brand", profiles, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	g_assert_true(
	        omacp_ofono_provision_lookup(path, "310", "150", "Brand", &internet, &mms, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(internet->apn, ==, "internet.example");
	g_assert_cmpstr(internet->username, ==, "u");
	g_assert_cmpstr(internet->password, ==, "pw");
	g_assert_cmpstr(internet->auth, ==, "pap");
	g_assert_cmpstr(internet->protocol, ==, "dual");
	g_assert_cmpstr(internet->name, ==, "Net");
	/* the MMS profile had no APN of its own: it shares the internet one */
	g_assert_cmpstr(mms->apn, ==, "internet.example");
	g_assert_cmpstr(mms->message_center, ==, "http://mmsc.example/");
	g_assert_cmpstr(mms->message_proxy, ==, "10.1.1.1:80");
	g_clear_pointer(&internet, omacp_ofono_context_settings_free);
	g_clear_pointer(&mms, omacp_ofono_context_settings_free);

	/* another SPN (an MVNO on the same MCC/MNC) and another network fall through */
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "310", "150", "Other", &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "310", "15", NULL, &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
	g_clear_error(&error);

	/* a second network is kept; writing no profiles removes one */
	g_assert_true(omacp_ofono_provision_write(path, "00101", profiles, &error));
	g_assert_true(omacp_ofono_provision_write(path, "310150", NULL, &error));
	g_assert_no_error(error);
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "310", "150", "Brand", &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(
	        omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms, &error));
	g_assert_no_error(error);

	g_unlink(path);
	{
		g_autofree char *sub = g_path_get_dirname(path);

		g_rmdir(sub);
	}
	remove_dir(dir);
}

static void
test_provision_bad(void)
{
	g_autofree char *dir = make_dir();
	g_autofree char *path = g_build_filename(dir, "p.conf", NULL);
	g_autoptr(OmacpOfonoContextSettings) internet = NULL;
	g_autoptr(OmacpOfonoContextSettings) mms = NULL;
	g_autoptr(GString) big = g_string_new("[00101]\ninternet.AccessPointName=a\n");
	g_autoptr(GError) error = NULL;
	static const char *const bad_ids[] = { "0010", "1234567", "0010a", "", NULL };

	for (guint i = 0; bad_ids[i] != NULL; i++) {
		g_assert_false(omacp_ofono_provision_write(path, bad_ids[i], NULL, &error));
		g_assert_error(error, OMACP_ERROR, OMACP_ERROR_INVALID_ARGS);
		g_clear_error(&error);
	}

	g_assert_false(
	        omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&error);

	write_file(dir, "p.conf",
	           "[00101]\ninternet.AccessPointName=a\n"
	           "internet.AuthenticationMethod=md5\n");
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
	g_assert_nonnull(strstr(error->message, "[00101] internet.AuthenticationMethod 'md5'"));
	g_clear_error(&error);

	write_file(dir, "p.conf", "[00101]\ninternet.Protocol=ipx\ninternet.AccessPointName=a\n");
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
	g_clear_error(&error);

	write_file(dir, "p.conf", "[00101]\nSpn=x\n");
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "001", "01", "x", &internet, &mms, &error));
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
	g_clear_error(&error);

	/* the cap on the file the plugin reads inside ofonod */
	while (big->len <= OMACP_OFONO_PROVISION_MAX_FILE_SIZE)
		g_string_append(big, "# padding padding padding padding padding padding\n");
	write_file(dir, "p.conf", big->str);
	g_assert_false(
	        omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
	g_clear_error(&error);

	/* a broken file is ours: the writer rebuilds it */
	write_file(dir, "p.conf", "garbage without groups\n");
	{
		g_autoptr(GPtrArray) profiles =
		        g_ptr_array_new_with_free_func((GDestroyNotify) omacp_profile_free);

		g_ptr_array_add(profiles,
		                profile(OMACP_PROFILE_INTERNET, "N", dict("apn", "x", NULL), NULL));
		g_assert_true(omacp_ofono_provision_write(path, "00101", profiles, &error));
		g_assert_no_error(error);
		g_assert_true(omacp_ofono_provision_lookup(path, "001", "01", NULL, &internet, &mms,
		                                           &error));
		g_assert_cmpstr(internet->apn, ==, "x");
		g_assert_null(mms);
	}
	remove_dir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/push-dispatch/consumer-files", test_consumer_files);
	g_test_add_func("/push-dispatch/consumer-too-large", test_consumer_too_large);
	g_test_add_func("/push-dispatch/consumer-cap", test_dispatcher_cap);
	g_test_add_func("/push-dispatch/missing-dir", test_dispatcher_missing_dir);
	g_test_add_func("/push-dispatch/match", test_dispatcher_match);
	g_test_add_func("/ofono-provision/roundtrip", test_provision_roundtrip);
	g_test_add_func("/ofono-provision/bad", test_provision_bad);
	return g_test_run();
}
