package world

import (
	"sort"
	"strings"
	"testing"
)

// officialAPIs are the API names of AppWorld's apps, per app, in the order
// of the public type stubs (src/appworld/collections/apis.pyi, v0.2.0.dev0,
// Apache-2.0: names only). They keep the native world from inventing API
// names an agent would not find on the official server.
var officialAPIs = map[string]string{
	"amazon":      `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account show_product show_recommended_products show_browsing_history add_product_to_browsing_history remove_product_from_browsing_history clear_browsing_history update_browsing_history_tracking show_last_product_purchase show_product_rating_distribution search_sellers show_seller search_product_types show_product_feature_choices search_products show_cart add_product_to_cart update_product_quantity_in_cart delete_product_from_cart apply_promo_code_to_cart remove_promo_code_from_cart show_wish_list add_product_to_wish_list update_product_quantity_in_wish_list delete_product_from_wish_list move_product_from_cart_to_wish_list move_product_from_wish_list_to_cart clear_cart add_gift_wrapping_to_product remove_gift_wrapping_from_product clear_wish_list show_orders show_product_purchases show_order place_order download_order_receipt show_payment_cards show_payment_card add_payment_card update_payment_card delete_payment_card show_addresses add_address update_address delete_address show_product_reviews write_product_review update_product_review delete_product_review show_product_questions show_product_question_answers write_product_question write_product_question_answer update_product_question update_product_question_answer delete_product_question delete_product_question_answer show_returns show_return show_return_deliverers initiate_return show_prime_plans subscribe_prime show_prime_subscriptions download_prime_subscription_receipt`,
	"api_docs":    `show_app_descriptions show_api_descriptions show_api_doc search_api_docs`,
	"file_system": `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account create_directory delete_directory show_directory directory_exists show_file file_exists create_file update_file delete_file copy_file move_file copy_directory move_directory compress_directory decompress_file`,
	"gmail":       `signup login logout send_password_reset_code reset_password show_profile show_account set_status update_account_name delete_account search_users search_labels show_inbox_threads show_outbox_threads show_snoozed_threads show_starred_threads show_archived_threads show_spam_threads show_category_sizes show_thread show_email label_thread unlabel_thread mark_thread_read mark_thread_unread mark_thread_archived mark_thread_unarchived mark_thread_spam mark_thread_not_spam mark_thread_starred mark_thread_unstarred delete_thread delete_email_in_thread snooze_thread unsnooze_thread send_email reply_to_email forward_email_from_thread forward_email_thread create_draft update_draft delete_draft send_email_from_draft show_drafts show_draft download_attachment upload_attachments_to_draft remove_attachment_from_draft`,
	"phone":       `signup login logout send_password_reset_code reset_password show_profile show_account update_account_name delete_account show_contact_relationships search_contacts add_contact update_contact delete_contact show_text_message_window search_text_messages show_text_message send_text_message delete_text_message show_alarms show_alarm create_alarm update_alarm delete_alarm show_voice_message_window search_voice_messages show_voice_message send_voice_message delete_voice_message get_current_date_and_time`,
	"simple_note": `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account search_notes show_note create_note update_note add_content_to_note delete_note`,
	"splitwise":   `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account search_users show_activity create_group show_group show_groups update_group delete_group undelete_group add_member_to_group remove_member_from_group exit_group regenerate_invitation_code accept_group_invitation record_expense attach_expense_receipt_file delete_expense_receipt_file download_expense_receipt_file show_expense show_group_expenses show_no_group_expenses update_expense delete_expense undelete_expense post_expense_comment update_expense_comment delete_expense_comment show_expense_comments show_expense_comment record_payment attach_payment_receipt_file delete_payment_receipt_file download_payment_receipt_file show_payment show_group_payments show_no_group_payments update_payment delete_payment undelete_payment show_person_balance show_people_balance show_group_balance show_groups_balance settle_up post_payment_comment update_payment_comment delete_payment_comment show_payment_comments show_payment_comment show_notifications show_notifications_count delete_notification mark_notification delete_notifications mark_notifications`,
	"spotify":     `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account search_users show_genres search_songs show_song show_song_privates like_song unlike_song show_liked_songs search_albums show_album show_album_privates like_album unlike_album show_liked_albums show_playlist_library search_playlists show_playlist show_playlist_privates create_playlist update_playlist delete_playlist like_playlist unlike_playlist show_liked_playlists search_artists show_artist show_artist_following show_song_library add_song_to_library remove_song_from_library show_album_library add_album_to_library remove_album_from_library add_song_to_playlist remove_song_from_playlist show_downloaded_songs download_song remove_downloaded_song show_following_artists follow_artist unfollow_artist show_song_reviews review_song update_song_review delete_song_review show_song_review show_album_reviews review_album update_album_review delete_album_review show_album_review show_playlist_reviews review_playlist update_playlist_review delete_playlist_review show_playlist_review show_payment_cards show_payment_card add_payment_card update_payment_card delete_payment_card show_current_song play_music pause_music previous_song next_song move_song_in_queue seek_song loop_song shuffle_song_queue show_song_queue add_to_queue remove_song_from_queue clear_song_queue show_volume set_volume show_recommendations show_premium_plans subscribe_premium show_premium_subscriptions download_premium_subscription_receipt`,
	"supervisor":  `show_active_task complete_task show_profile show_addresses show_payment_cards show_account_passwords`,
	"todoist":     `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account search_users create_project show_project show_projects update_project delete_project create_section show_sections update_section delete_section remove_collaborator_from_project send_project_invite accept_project_invite delete_project_invite create_task assign_or_unassign_task show_tasks show_task update_task delete_task create_sub_task show_sub_tasks update_sub_task delete_sub_task create_label show_label search_labels update_label delete_label add_label_to_task remove_label_from_task post_task_comment show_task_comments show_task_comment update_task_comment delete_task_comment upload_attachment download_attachment delete_attachment show_notifications show_notifications_count delete_notification mark_notification delete_notifications mark_notifications`,
	"venmo":       `signup login logout send_verification_code verify_account send_password_reset_code reset_password show_profile show_account update_account_name delete_account search_users search_friends add_friend remove_friend add_to_venmo_balance show_venmo_balance withdraw_from_venmo_balance show_bank_transfer_history download_bank_transfer_receipt show_transaction create_transaction update_transaction show_transactions download_transaction_receipt like_transaction unlike_transaction show_transaction_comments show_transaction_comment create_transaction_comment update_transaction_comment delete_transaction_comment like_transaction_comment unlike_transaction_comment show_payment_card show_payment_cards add_payment_card update_payment_card delete_payment_card show_received_payment_requests show_sent_payment_requests create_payment_request update_payment_request approve_payment_request deny_payment_request remind_payment_request delete_payment_request show_social_feed show_notifications show_notifications_count delete_notification mark_notification delete_notifications mark_notifications`,
}

// TestAPINamesAreOfficial checks that every native app is an official app
// and every native API name exists in that app on the official server.
func TestAPINamesAreOfficial(t *testing.T) {
	for _, app := range Apps() {
		names, ok := officialAPIs[app.Name]
		if !ok {
			t.Errorf("app %s is not an AppWorld app", app.Name)
			continue
		}
		official := map[string]bool{}
		for _, n := range strings.Fields(names) {
			official[n] = true
		}
		var invented []string
		for _, a := range app.APIs {
			if !official[a.Name] {
				invented = append(invented, a.Name)
			}
		}
		sort.Strings(invented)
		if len(invented) > 0 {
			t.Errorf("%s: API names not in AppWorld: %s", app.Name, strings.Join(invented, ", "))
		}
	}
}

// TestOfficialAPITable guards the hand-copied table itself: the per-app
// counts of docs/appworld.md's table (the stubs' def count per class).
func TestOfficialAPITable(t *testing.T) {
	want := map[string]int{"amazon": 75, "api_docs": 4, "file_system": 26, "gmail": 48, "phone": 30, "simple_note": 17,
		"splitwise": 65, "spotify": 92, "supervisor": 6, "todoist": 56, "venmo": 54}
	for app, n := range want {
		if got := len(strings.Fields(officialAPIs[app])); got != n {
			t.Errorf("%s: %d official names in the table, want %d", app, got, n)
		}
	}
	if len(officialAPIs) != len(want) {
		t.Errorf("%d apps in the table, want %d", len(officialAPIs), len(want))
	}
}
