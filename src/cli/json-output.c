/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "output.h"

#include <glib/gi18n.h>

#include "omacp.h"

static void
add_string_or_null(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_string_array(JsonBuilder *b, const char *key, GPtrArray *strings)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (guint i = 0; strings != NULL && i < strings->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(strings, i));
	json_builder_end_array(b);
}

JsonNode *
omacp_profile_to_json(const OmacpProfile *p, gboolean show_secrets)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonNode *settings = json_gvariant_serialize(p->settings);

	if (show_secrets && p->secrets != NULL) {
		JsonObject *obj = json_node_get_object(settings);
		GVariantIter iter;
		const char *key;
		GVariant *value;

		g_variant_iter_init(&iter, p->secrets);
		while (g_variant_iter_loop(&iter, "{&sv}", &key, &value))
			json_object_set_member(obj, key, json_gvariant_serialize(value));
	}

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, omacp_profile_kind_to_string(p->kind));
	json_builder_set_member_name(b, "operation");
	json_builder_add_string_value(b, omacp_op_to_string(p->op));
	add_string_or_null(b, "identity", p->identity);
	add_string_or_null(b, "name", p->name);
	add_string_or_null(b, "imsi", p->imsi);
	json_builder_set_member_name(b, "settings");
	json_builder_add_value(b, settings);
	add_string_array(b, "risks", p->risks);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

JsonNode *
omacp_message_to_json(const OmacpMessage *m, gboolean show_secrets)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "format");
	json_builder_add_string_value(b, omacp_format_to_string(m->format));

	if (m->segments != NULL && m->segments->len > 0) {
		const OmacpSms *first = g_ptr_array_index(m->segments, 0);

		json_builder_set_member_name(b, "transport");
		json_builder_begin_object(b);
		add_string_or_null(b, "sender", first->sender);
		add_string_or_null(b, "smsc", first->smsc);
		json_builder_set_member_name(b, "segments");
		json_builder_add_int_value(b, m->segments->len);
		json_builder_set_member_name(b, "reference");
		if (first->is_concat)
			json_builder_add_int_value(b, first->ref);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "dst-port");
		if (first->has_ports)
			json_builder_add_int_value(b, first->dst_port);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "src-port");
		if (first->has_ports)
			json_builder_add_int_value(b, first->src_port);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	if (m->push != NULL) {
		json_builder_set_member_name(b, "push");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "tid");
		json_builder_add_int_value(b, m->push->tid);
		json_builder_set_member_name(b, "pdu-type");
		json_builder_add_int_value(b, m->push->pdu_type);
		add_string_or_null(b, "application-id", m->push->app_id);
		json_builder_set_member_name(b, "body-offset");
		json_builder_add_int_value(b, (gint64) m->push->data_offset);
		json_builder_end_object(b);
	}
	add_string_or_null(b, "content-type", m->content_type);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, omacp_push_kind_to_string(m->kind));
	json_builder_set_member_name(b, "sec");
	json_builder_add_string_value(b, omacp_sec_to_string(m->sec));
	add_string_or_null(b, "mac", m->mac);
	json_builder_set_member_name(b, "auth");
	json_builder_add_string_value(b, omacp_auth_state_to_string(m->auth));
	add_string_or_null(b, "auth-detail", m->auth_detail);
	{
		g_autofree char *xml = omacp_message_document_text(m, !show_secrets);

		add_string_or_null(b, "document", xml);
	}
	json_builder_set_member_name(b, "profiles");
	json_builder_begin_array(b);
	for (guint i = 0; m->profiles != NULL && i < m->profiles->len; i++)
		json_builder_add_value(
		        b, omacp_profile_to_json(g_ptr_array_index(m->profiles, i), show_secrets));
	json_builder_end_array(b);
	add_string_array(b, "warnings", m->warnings);
	json_builder_set_member_name(b, "operations");
	json_builder_begin_array(b);
	for (guint i = 0; m->doc != NULL && i < m->doc->operations->len; i++) {
		const OmacpOperation *op = g_ptr_array_index(m->doc->operations, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "operation");
		json_builder_add_string_value(b, omacp_op_to_string(op->op));
		add_string_or_null(b, "path", op->path);
		add_string_or_null(b, "target", op->target);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

char *
omacp_json_to_string(JsonNode *node, gboolean pretty)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_pretty(gen, pretty);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	return json_generator_to_data(gen, NULL);
}
