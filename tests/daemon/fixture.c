/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fixture.h"

#include <glib/gstdio.h>

/* ---- the fake backend ---- */

static OmacpFakeBackend *
fake_of(OmacpBackend *backend)
{
	return (OmacpFakeBackend *) backend;
}

static gboolean
fake_handles(OmacpBackend *self, const OmacpProfile *profile)
{
	return profile->kind == OMACP_PROFILE_INTERNET;
}

static gboolean
fake_is_available(OmacpBackend *self)
{
	return TRUE;
}

static void
fake_apply_async(OmacpBackend *self, const OmacpProfile *profile, const char *message,
                 const char *existing_id, gboolean force, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
	OmacpFakeBackend *fake = fake_of(self);
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	GVariantDict undo;

	g_ptr_array_add(fake->applied, g_strdup_printf("%s %s", profile->identity,
	                                               existing_id != NULL ? existing_id : "-"));
	if (fake->fail_apply) {
		g_task_return_new_error(task, OMACP_ERROR, OMACP_ERROR_FAILED,
		                        "fake: apply of %s refused", profile->identity);
		return;
	}
	g_variant_dict_init(&undo, NULL);
	g_variant_dict_insert(&undo, "created", "b", existing_id == NULL);
	g_task_set_task_data(task, g_variant_ref_sink(g_variant_dict_end(&undo)),
	                     (GDestroyNotify) g_variant_unref);
	g_task_return_pointer(task,
	                      existing_id != NULL ? g_strdup(existing_id)
	                                          : g_strdup_printf("fake-%u", ++fake->made),
	                      g_free);
}

static char *
fake_apply_finish(OmacpBackend *self, GAsyncResult *result, GVariant **out_undo, GError **error)
{
	char *id = g_task_propagate_pointer(G_TASK(result), error);

	if (id != NULL && out_undo != NULL)
		*out_undo = g_variant_ref(g_task_get_task_data(G_TASK(result)));
	return id;
}

static void
fake_remove_async(OmacpBackend *self, const char *id, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

	g_ptr_array_add(fake_of(self)->removed, g_strdup(id));
	g_task_return_boolean(task, TRUE);
}

static gboolean
fake_boolean_finish(OmacpBackend *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void
fake_undo_async(OmacpBackend *self, const char *id, GVariant *undo, GCancellable *cancellable,
                GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

	g_ptr_array_add(fake_of(self)->undone, g_strdup(id));
	g_task_return_boolean(task, TRUE);
}

static GVariant *
fake_preview(OmacpBackend *self, const OmacpProfile *profile, const char *existing_id)
{
	/* nothing beyond the profile's own settings would change */
	return g_variant_new("aa{sv}", NULL);
}

static void
fake_free(OmacpBackend *self)
{
	OmacpFakeBackend *fake = fake_of(self);

	g_ptr_array_unref(fake->applied);
	g_ptr_array_unref(fake->undone);
	g_ptr_array_unref(fake->removed);
	g_free(fake);
}

static const OmacpBackendClass fake_class = {
	.name = "fake",
	.handles = fake_handles,
	.is_available = fake_is_available,
	.apply_async = fake_apply_async,
	.apply_finish = fake_apply_finish,
	.remove_async = fake_remove_async,
	.remove_finish = fake_boolean_finish,
	.undo_async = fake_undo_async,
	.undo_finish = fake_boolean_finish,
	.preview = fake_preview,
	.free = fake_free,
};

static OmacpFakeBackend *
fake_backend_new(void)
{
	OmacpFakeBackend *fake = g_new0(OmacpFakeBackend, 1);

	fake->parent.klass = &fake_class;
	fake->applied = g_ptr_array_new_with_free_func(g_free);
	fake->undone = g_ptr_array_new_with_free_func(g_free);
	fake->removed = g_ptr_array_new_with_free_func(g_free);
	return fake;
}

/* ---- the daemon ---- */

void
omacp_daemon_fixture_set_up(OmacpDaemonFixture *f, const char *name, gboolean with_applier)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *template = g_strdup_printf("omacp-test-%s-XXXXXX", name);

	f->dir = g_dir_make_tmp(template, &error);
	g_assert_no_error(error);
	g_assert_true(omacp_store_open(f->dir, &f->store, &error));
	g_assert_no_error(error);
	f->config = omacp_config_new_default();
	f->config->none = OMACP_ACTION_CONFIRM;
	if (with_applier) {
		f->config->backend_networkmanager = FALSE;
		f->config->backend_ofono = FALSE;
		f->config->backend_mmsd = FALSE;
		f->config->adapter_ofono = FALSE;
		f->applier = omacp_applier_new(f->config, NULL);
		f->fake = fake_backend_new();
		omacp_applier_add_backend(f->applier, &f->fake->parent);
	}
	f->server = omacp_objects_server_new();
	f->objects = omacp_objects_new(f->store, NULL, f->server);
	f->queue = omacp_apply_queue_new(f->objects, f->applier);
	f->intake = omacp_intake_new(f->objects, f->config, f->queue);
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

void
omacp_daemon_fixture_tear_down(OmacpDaemonFixture *f)
{
	g_clear_pointer(&f->intake, omacp_intake_free);
	g_clear_pointer(&f->queue, omacp_apply_queue_free);
	g_clear_object(&f->objects);
	g_clear_object(&f->server);
	/* the applier frees the fake */
	f->fake = NULL;
	g_clear_pointer(&f->applier, omacp_applier_free);
	g_clear_pointer(&f->config, omacp_config_free);
	g_clear_pointer(&f->store, omacp_store_free);
	remove_tree(f->dir);
	g_clear_pointer(&f->dir, g_free);
}

GBytes *
omacp_daemon_fixture_document(const char *apn)
{
	g_autofree char *xml = g_strdup_printf("<wap-provisioningdoc version=\"1.0\">"
	                                       "<characteristic type=\"NAPDEF\">"
	                                       "<parm name=\"NAPID\" value=\"NAP1\"/>"
	                                       "<parm name=\"BEARER\" value=\"GSM-GPRS\"/>"
	                                       "<parm name=\"NAME\" value=\"Internet\"/>"
	                                       "<parm name=\"NAP-ADDRESS\" value=\"%s\"/>"
	                                       "<parm name=\"NAP-ADDRTYPE\" value=\"APN\"/>"
	                                       "</characteristic></wap-provisioningdoc>",
	                                       apn);

	return g_bytes_new(xml, strlen(xml));
}
