// Interface strings, French and English. Message texts come from the core's templates, in the
// debtor's language, which follows the interface language.
export const STRINGS = {
  fr: {
    title: 'Simulateur de relance', subtitle: 'Ce que Relance ferait d’une facture impayée : calendrier, messages, pénalités.',
    dashboard: 'Tableau de bord', simulator: 'Simulateur', language: 'Langue',
    invoice: 'Facture', amount: 'Montant TTC (EUR)',
    einvoiceLabel: 'Remplir depuis une facture électronique (Factur-X en PDF, UBL ou CII en XML) : choisissez-la ou déposez-la ici',
    einvoiceRead: (d) => `Facture ${d.number} de ${d.seller} à ${d.buyer} lue dans votre navigateur : rien n’a été envoyé.`,
    einvoiceCreditNote: 'Ce document est un avoir : déposez la facture elle-même.',
    einvoiceError: 'Ce fichier n’est pas une facture électronique lisible.', issueDate: 'Date de facture', terms: 'Conditions de paiement',
    termsNet: 'Jours après la date de facture', termsEom: 'Jours, puis fin de mois', termsReceipt: 'À réception', termsDue: 'Date d’échéance fixée',
    days: 'Nombre de jours', dueDateInput: 'Échéance', debtorKind: 'Client', business: 'Entreprise', consumer: 'Particulier',
    public_body: 'Acheteur public', country: 'Pays du client', policy: 'Politique de relance',
    gentle: 'Douce', standard: 'Standard', firm: 'Ferme', custom: 'Personnalisée', editSteps: 'Modifier les étapes',
    resetPolicy: 'Revenir au modèle', addStep: 'Ajouter une étape', up: 'Monter', down: 'Descendre',
    step: 'Étape', stepId: 'Identifiant de l’étape', anchor: 'Point de départ', offset: 'Décalage (j)', channel: 'Canal', template: 'Modèle', level: 'Niveau',
    tone: 'Ton', anchor_due_date: 'échéance', anchor_issue_date: 'date de facture', anchor_previous_step: 'étape précédente',
    payments: 'Paiements (et si…)', addPayment: 'Ajouter un paiement', paidOn: 'Payé le', paidAmount: 'Montant',
    plan: 'Échéancier', addPlan: 'Proposer un échéancier', removePlan: 'Retirer l’échéancier', agreedOn: 'Accordé le',
    instalments: 'Échéances', addInstalment: 'Ajouter une échéance', instalment: 'Échéance',
    results: 'Résultat', dueDate: 'Échéance', firstReminder: 'Premier contact', penaltiesAtLast: 'Intérêts + indemnité', totalAtLast: 'Total réclamé',
    lastStepNote: 'Montants à la dernière étape, {name}, le {date}, si rien n’est payé d’ici là.', legend: 'Légende', warnings: 'Points d’attention sur les conditions',
    timeline: 'Calendrier des relances', calendar: 'Calendrier mensuel', date: 'Date', planned: 'Prévue', status: 'Statut',
    penalties: 'Pénalités à cette date', interest: 'Intérêts de retard', indemnity: 'Indemnité forfaitaire', totalDue: 'Total dû',
    imputation: 'Ce que chaque paiement a réglé',
    toInterest: 'Intérêts', toIndemnity: 'Indemnité', toPrincipal: 'Principal',
    imputationChoice: 'Un paiement partiel règle', imputationLaw: 'd’abord les pénalités (la loi)', imputationPrincipal: 'd’abord le principal',
    imputation_accessories_first: 'Un paiement partiel règle d’abord les intérêts de retard puis l’indemnité forfaitaire déjà dus, le principal ensuite (article 1343-1 du Code civil) : le principal reste plus élevé et porte plus d’intérêts.',
    imputation_interest_first: 'Un paiement partiel règle d’abord les intérêts de retard déjà dus, le principal ensuite.',
    imputation_principal_first: 'Les paiements règlent d’abord le principal (choix du créancier, plus favorable au débiteur).',
    warn_late_message_before_due_date: 'Ce message dit la facture en retard, mais part avant son échéance.',
    warn_early_message_after_due_date: 'Ce message annonce l’échéance, mais part après elle.',
    moved: 'déplacée', movedBecause: 'déplacée : ', change_business_day: 'jour non ouvré', change_min_gap: 'écart minimum',
    change_dispute_pause: 'litige', change_after_previous: 'après l’étape précédente',
    preview: 'Aperçu du message', subject: 'Objet', chart: 'Montant dû dans le temps', principal: 'Principal',
    owedTotal: 'Total dû (échelle de gauche)', principalLeft: 'Principal restant (gauche)', penaltiesRight: 'Pénalités : intérêts + indemnité (échelle de droite)', dueLine: 'Trait pointillé : l’échéance, le {date}. Traits numérotés : les étapes.',
    exportIcs: 'Exporter le calendrier (.ics)', letter: 'Mise en demeure imprimable', noLetter: 'Aucune mise en demeure dans cette politique.',
    share: 'Lien de partage', copied: 'Lien copié', missingRate: 'Taux pas encore publié', missingRateHelp: 'Les montants marqués ≈ sont estimés au dernier taux connu (taux supposé inchangé). Dès qu’il est publié, indiquez-le :',
    estimated: 'estimation : taux supposé inchangé', missingRateFor: 'le taux de référence du {half} ({label}) n’est pas encore dans nos tables.',
    half1: '1er semestre {year}', half2: '2d semestre {year}', rate_ecb_mro: 'Taux BCE (opérations principales de refinancement, %)', rate_other: 'Taux de référence (%)',
    notPenaltyRate: 'Indiquez le taux BCE seul (par exemple 2,15), sans les points de majoration : {rate} % est un taux de pénalité.',
    suppliedRates: 'Taux indiqués', remove: 'Retirer', badRate: 'Taux invalide : écrivez un nombre, par exemple 2,15.',
    rateTable: 'Table', rateFrom: 'À partir du', rate: 'Taux (%)', apply: 'Appliquer', weekend: 'week-end', holiday: 'jour férié',
    stepDay: 'relance', legendMoved: 'relance déplacée (jour non ouvré…)', firstPlanned: 'date prévue d’abord', status_past: 'passée', status_today: 'aujourd’hui', status_upcoming: 'prévue', status_cancelled_paid: 'annulée (payée)',
    status_suspended_dispute: 'suspendue (litige)', status_skipped_condition: 'sans objet', status_replaced_by_plan: 'remplacée par l’échéancier',
    status_conditional: 'si impayé', error: 'Erreur', offline: 'Disponible hors ligne', none: 'aucun',
    channel_email: 'e-mail', channel_sms: 'SMS', channel_phone_task: 'appel', channel_letter: 'courrier', channel_registered_letter: 'recommandé AR',
    channel_legal_action: 'action en justice', channel_agency_handoff: 'agence de recouvrement',
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
    weekdays: ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'],
    monthsShort: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
    // dashboard
    dashTitle: 'Tableau de bord du recouvrement', loadSample: 'Exemple', loadCsv: 'Charger un CSV de factures', asOf: 'Au',
    dso: 'DSO', dsoStandard: 'méthode standard', dsoCountback: 'méthode countback', outstanding: 'Encours', ageing: 'Balance âgée',
    recovery: 'Taux de recouvrement', daysLate: 'Retard de paiement', mean: 'moyenne', median: 'médiane', onTime: 'payées à temps',
    remindersNeeded: 'Relances avant paiement', effectiveness: 'Efficacité', byStep: 'par étape', byChannel: 'par canal',
    messages: 'messages', paidWithin: 'payées sous 14 j', debtors: 'Clients', segment: 'Segment', trend: 'Tendance',
    claimable: 'Pénalités réclamables aujourd’hui', invoices: 'factures', bucket_not_due: 'non échu', bucket_1_30: '1-30 j',
    bucket_31_60: '31-60 j', bucket_61_90: '61-90 j', bucket_over_90: '> 90 j', segment_reliable: 'fiable', segment_slow: 'lent',
    segment_at_risk: 'à risque', segment_new: 'nouveau', trend_improving: 'en amélioration', trend_stable: 'stable',
    trend_worsening: 'en dégradation', trend_unknown: '—', simulatedLog: 'Messages : ceux que la politique standard aurait envoyés jusqu’à cette date.',

    answers: 'Le client répond', addReply: 'Le client a répondu', addPromise: 'Promesse de paiement', addCall: 'Appel sans réponse',
    repliedOn: 'Réponse reçue le', promiseMadeOn: 'Promis le', promisedFor: 'Pour le', callOn: 'Appel le, personne',
    answersHelp: 'Une réponse suspend la relance suivante quelques jours ; une promesse suspend tout jusqu’à la date promise (plus un délai de grâce) ; un appel sans réponse ne change rien, la relance continue.',
    status_promise_kept: 'promesse tenue', status_promise_replaced: 'promesse remplacée', status_skipped_answered: 'sans objet (le client a répondu)',
    status_no_address: 'non envoyée (adresse invalide)', change_promise_pause: 'promesse en cours', change_reply_pause: 'réponse du client',
    reroutedFrom: 'par courrier (email en échec)', promisesCard: 'Promesses tenues', repliesCard: 'Réponses aux relances', bouncesCard: 'Emails en échec',
    replyRates: 'Réponses par étape', replied: 'avec réponse', medianHours: 'délai médian (h)', made: 'faites', kept: 'tenues', broken: 'non tenues', open: 'en cours',

    // dashboard: periods, the CSV format, errors in a file
    missingRateDashHelp: 'Les pénalités réclamables laissent de côté les factures concernées tant que ce taux manque. Dès qu’il est publié, indiquez-le :',
    byReminderCount: 'Factures selon le nombre de relances reçues —',
    dataTitle: 'Les factures analysées', periodLine: 'Période analysée : du {start} au {end} ({days} jours). Encours, balance âgée et pénalités : au {end}.',
    whenAt: 'au {end}', whenPeriod: 'du {start} au {end}', whenSettled: 'factures réglées du {start} au {end}', whenMade: 'faites du {start} au {end}',
    whenSent: 'messages envoyés du {start} au {end}', dayUnit: 'j', ofInvoices: '{n} factures',
    claimableWaiting: '{n} factures attendent le taux du {half} : indiquez-le ci-dessus pour les compter.',
    excluded: '{n} facture(s) dans une autre devise que l’euro ne sont pas comptées.', total: 'Total',
    debtorsHelp: 'Retard moyen et part à temps : toutes les factures réglées de chaque client, depuis le début du fichier.',
    meanLateAll: 'Retard moyen (j)', maxOverdue: 'Retard max. en cours (j)',
    csvHelpTitle: 'Le format du fichier CSV (colonnes attendues)',
    csvHelp: 'Une ligne d’en-tête, puis une facture par ligne. Séparateur « ; » (Excel en français) ou « , ». Montants en « 4 800,50 » ou « 4800.50 », dates en JJ/MM/AAAA ou AAAA-MM-JJ. Les colonnes peuvent venir dans n’importe quel ordre ; une colonne inconnue est signalée.',
    csvExample: 'Télécharger un exemple (factures-exemple.csv)', column: 'Colonne', requiredCol: 'Obligatoire', meaning: 'Contenu', example: 'Exemple',
    yes: 'oui', no: 'non', oneOf: 'l’une des deux',
    col_id: 'Identifiant unique de la facture', col_number: 'Numéro de facture', col_debtorId: 'Identifiant du client',
    col_issueDate: 'Date de facture', col_dueDate: 'Date d’échéance (ou bien terms)', col_terms: 'Conditions : net:30, net:30:delivery, onReceipt, endOfMonth:45 (ou bien dueDate)',
    col_currency: 'Devise (code ISO)', col_total: 'Montant TTC', col_deliveryDate: 'Date de livraison (si les conditions en partent)',
    col_sector: 'Secteur (délais légaux particuliers)', col_paidAmount: 'Montant déjà payé', col_paidDate: 'Date de ce paiement',
    csvAt: 'Ligne {line}, colonne « {column} » : ', csvRow: 'Ligne {line} : ', csvHeaderAt: 'En-tête, colonne {n} « {name} » : ',
    csvInvoice: 'Facture {number} : ', csvFile: 'Fichier : ',
    err_unknown_field: 'Colonne inconnue : voyez la liste des colonnes attendues.', err_invalid_json: 'Ligne mal formée (guillemet non fermé, nombre de colonnes différent de l’en-tête).',
    err_unknown_variant: 'Valeur non reconnue.', err_unknown_reference: 'Ce client n’est pas connu.', err_invalid_currency: 'Devise inconnue (code ISO à 3 lettres, par exemple EUR).',
    err_terms_or_due_date: 'Indiquez soit une échéance, soit des conditions de paiement.', err_too_many_items: 'Trop de lignes (100 000 au plus).',
    // Step names, by the template a step sends (an instalment's carries its number).
    template_courtesy_before_due: 'Rappel avant échéance', template_first_reminder: '1re relance', template_second_reminder: '2e relance',
    template_phone_call: 'Appel', template_formal_letter: 'Lettre de relance', template_formal_notice: 'Mise en demeure',
    template_legal_handoff: 'Action en justice', template_agency_handoff: 'Agence de recouvrement',
    template_payment_plan_proposal: 'Proposition d’échéancier', template_instalment_upcoming: 'Échéance {n} à venir',
    template_instalment_missed: 'Échéance {n} manquée', template_thanks_payment: 'Remerciement',
    template_promise_broken: 'Promesse non tenue', template_penalty_claim: 'Réclamation des pénalités',
    // Errors in words, beside the field; the core's code, path and message stay in a details element.
    required: 'À remplir.', fixFields: 'Corrigez les champs signalés pour voir le calendrier.', technicalDetails: 'Détails techniques',
    err_invalid_amount: 'Montant illisible : écrivez par exemple 4 800,50.', err_non_positive_amount: 'Le montant doit être supérieur à zéro.',
    err_negative_amount: 'Le montant ne peut pas être négatif.', err_too_many_decimals: 'Deux décimales au plus (les centimes).',
    err_invalid_date: 'Date invalide.', err_date_out_of_range: 'Date hors de la période possible.', err_date_before_issue: 'Cette date précède la date de facture.',
    err_end_before_start: 'Cette date précède celle dont elle dépend.', err_out_of_range: 'Valeur hors des limites acceptées.',
    err_missing_field: 'Information manquante.', err_invalid_payment_plan: 'Échéancier incohérent : vérifiez dates et montants.',
    err_steps_out_of_order: 'Les étapes ne sont pas dans l’ordre de leurs dates.', err_empty_policy: 'La politique n’a aucune étape.',
    err_duplicate_id: 'Deux étapes portent le même nom.', err_invalid_id: 'Nom d’étape invalide (lettres, chiffres, tirets).',
    err_other: 'Cette valeur n’est pas acceptée.',
  },
  en: {
    title: 'Relance simulator', subtitle: 'What Relance would do with an unpaid invoice: calendar, messages, penalties.',
    dashboard: 'Dashboard', simulator: 'Simulator', language: 'Language',
    invoice: 'Invoice', amount: 'Amount incl. VAT (EUR)',
    einvoiceLabel: 'Fill in from an e-invoice (Factur-X PDF, UBL or CII XML): choose it or drop it here',
    einvoiceRead: (d) => `Invoice ${d.number} from ${d.seller} to ${d.buyer} read in your browser: nothing was uploaded.`,
    einvoiceCreditNote: 'This document is a credit note: drop the invoice itself.',
    einvoiceError: 'This file is not a readable e-invoice.', issueDate: 'Invoice date', terms: 'Payment terms',
    termsNet: 'Days after the invoice date', termsEom: 'Days, then end of month', termsReceipt: 'On receipt', termsDue: 'Fixed due date',
    days: 'Number of days', dueDateInput: 'Due date', debtorKind: 'Customer', business: 'Business', consumer: 'Consumer',
    public_body: 'Public buyer', country: 'Customer country', policy: 'Reminder policy',
    gentle: 'Gentle', standard: 'Standard', firm: 'Firm', custom: 'Custom', editSteps: 'Edit steps',
    resetPolicy: 'Back to the preset', addStep: 'Add a step', up: 'Move up', down: 'Move down',
    step: 'Step', stepId: 'Step id', anchor: 'Counted from', offset: 'Offset (days)', channel: 'Channel', template: 'Template', level: 'Level',
    tone: 'Tone', anchor_due_date: 'due date', anchor_issue_date: 'invoice date', anchor_previous_step: 'previous step',
    payments: 'Payments (what if…)', addPayment: 'Add a payment', paidOn: 'Paid on', paidAmount: 'Amount',
    plan: 'Payment plan', addPlan: 'Offer a payment plan', removePlan: 'Remove the plan', agreedOn: 'Agreed on',
    instalments: 'Instalments', addInstalment: 'Add an instalment', instalment: 'Instalment',
    results: 'Result', dueDate: 'Due date', firstReminder: 'First contact', penaltiesAtLast: 'Interest + indemnity', totalAtLast: 'Total claimed',
    lastStepNote: 'Amounts at the last step, {name}, on {date}, if nothing is paid by then.', legend: 'Legend', warnings: 'Points to check in the terms',
    timeline: 'Reminder timeline', calendar: 'Month calendar', date: 'Date', planned: 'Planned', status: 'Status',
    penalties: 'Penalties on that date', interest: 'Late-payment interest', indemnity: 'Fixed indemnity', totalDue: 'Total due',
    imputation: 'What each payment paid',
    toInterest: 'Interest', toIndemnity: 'Indemnity', toPrincipal: 'Principal',
    imputationChoice: 'A part-payment pays', imputationLaw: 'the penalties first (the law)', imputationPrincipal: 'the principal first',
    imputation_accessories_first: 'A part-payment first pays the late-payment interest and the fixed indemnity already due, then the principal (French Civil Code, art. 1343-1): the principal stays higher and bears more interest.',
    imputation_interest_first: 'A part-payment first pays the late-payment interest already due, then the principal.',
    imputation_principal_first: 'Payments pay the principal first (the creditor’s choice, the more lenient order).',
    warn_late_message_before_due_date: 'This message says the invoice is late, but goes out before its due date.',
    warn_early_message_after_due_date: 'This message announces the due date, but goes out after it.',
    moved: 'moved', movedBecause: 'moved: ', change_business_day: 'non-business day', change_min_gap: 'minimum gap',
    change_dispute_pause: 'dispute', change_after_previous: 'after the previous step',
    preview: 'Message preview', subject: 'Subject', chart: 'Amount owed over time', principal: 'Principal',
    owedTotal: 'Total owed (left scale)', principalLeft: 'Principal left (left)', penaltiesRight: 'Penalties: interest + indemnity (right scale)', dueLine: 'Dashed line: the due date, {date}. Numbered lines: the steps.',
    exportIcs: 'Export the calendar (.ics)', letter: 'Printable formal notice', noLetter: 'This policy has no formal notice.',
    share: 'Share link', copied: 'Link copied', missingRate: 'Rate not published yet', missingRateHelp: 'Amounts marked ≈ are estimated at the last known rate (assumed unchanged). Once it is published, enter it:',
    estimated: 'estimate: rate assumed unchanged', missingRateFor: 'the reference rate for the {half} ({label}) is not in our tables yet.',
    half1: 'first half of {year}', half2: 'second half of {year}', rate_ecb_mro: 'ECB main refinancing rate (%)', rate_other: 'Reference rate (%)',
    notPenaltyRate: 'Enter the ECB rate alone (for example 2.15), without the added points: {rate} % is a penalty rate.',
    suppliedRates: 'Rates entered', remove: 'Remove', badRate: 'Invalid rate: write a number, for example 2.15.',
    rateTable: 'Table', rateFrom: 'From', rate: 'Rate (%)', apply: 'Apply', weekend: 'weekend', holiday: 'public holiday',
    stepDay: 'reminder', legendMoved: 'reminder moved (non-business day…)', firstPlanned: 'date first planned', status_past: 'past', status_today: 'today', status_upcoming: 'planned', status_cancelled_paid: 'cancelled (paid)',
    status_suspended_dispute: 'suspended (dispute)', status_skipped_condition: 'not applicable', status_replaced_by_plan: 'replaced by the plan',
    status_conditional: 'if unpaid', error: 'Error', offline: 'Works offline', none: 'none',
    channel_email: 'email', channel_sms: 'SMS', channel_phone_task: 'phone call', channel_letter: 'letter', channel_registered_letter: 'registered letter',
    channel_legal_action: 'legal action', channel_agency_handoff: 'collection agency',
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    monthsShort: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    dashTitle: 'Collection dashboard', loadSample: 'Sample', loadCsv: 'Load a CSV of invoices', asOf: 'As of',
    dso: 'DSO', dsoStandard: 'standard method', dsoCountback: 'countback method', outstanding: 'Outstanding', ageing: 'Ageing',
    recovery: 'Recovery rate', daysLate: 'Payment delay', mean: 'mean', median: 'median', onTime: 'paid on time',
    remindersNeeded: 'Reminders before payment', effectiveness: 'Effectiveness', byStep: 'by step', byChannel: 'by channel',
    messages: 'messages', paidWithin: 'paid within 14 days', debtors: 'Customers', segment: 'Segment', trend: 'Trend',
    claimable: 'Penalties claimable today', invoices: 'invoices', bucket_not_due: 'not due', bucket_1_30: '1-30 d',
    bucket_31_60: '31-60 d', bucket_61_90: '61-90 d', bucket_over_90: '> 90 d', segment_reliable: 'reliable', segment_slow: 'slow',
    segment_at_risk: 'at risk', segment_new: 'new', trend_improving: 'improving', trend_stable: 'stable',
    trend_worsening: 'worsening', trend_unknown: '—', simulatedLog: 'Messages: those the standard policy would have sent up to that day.',

    answers: 'The customer answers', addReply: 'The customer replied', addPromise: 'Promise to pay', addCall: 'Call, no answer',
    repliedOn: 'Reply received on', promiseMadeOn: 'Promised on', promisedFor: 'For', callOn: 'Called on, nobody',
    answersHelp: 'A reply holds the next reminder a few days; a promise holds everything until the promised date (plus a grace); a call that reaches nobody changes nothing, the path goes on.',
    status_promise_kept: 'promise kept', status_promise_replaced: 'promise replaced', status_skipped_answered: 'not needed (customer answered)',
    status_no_address: 'not sent (bad address)', change_promise_pause: 'open promise', change_reply_pause: 'customer reply',
    reroutedFrom: 'by post (email bounced)', promisesCard: 'Promises kept', repliesCard: 'Replies to reminders', bouncesCard: 'Emails bounced',
    replyRates: 'Replies by step', replied: 'answered', medianHours: 'median delay (h)', made: 'made', kept: 'kept', broken: 'broken', open: 'open',

    missingRateDashHelp: 'The claimable penalties leave out the invoices concerned while this rate is missing. Once it is published, enter it:',
    byReminderCount: 'Invoices by number of reminders received —',
    dataTitle: 'The invoices analysed', periodLine: 'Period analysed: {start} to {end} ({days} days). Outstanding, ageing and penalties: as of {end}.',
    whenAt: 'as of {end}', whenPeriod: '{start} to {end}', whenSettled: 'invoices settled {start} to {end}', whenMade: 'made {start} to {end}',
    whenSent: 'messages sent {start} to {end}', dayUnit: 'd', ofInvoices: '{n} invoices',
    claimableWaiting: '{n} invoices wait for the rate of the {half}: enter it above to count them.',
    excluded: '{n} invoice(s) in a currency other than the euro are not counted.', total: 'Total',
    debtorsHelp: 'Mean delay and on-time share: every settled invoice of each customer, since the start of the file.',
    meanLateAll: 'Mean delay (d)', maxOverdue: 'Most days overdue now',
    csvHelpTitle: 'The CSV file format (expected columns)',
    csvHelp: 'A header row, then one invoice per row. Separator ";" (French Excel) or ",". Amounts as "4,800.50" or "4 800,50", dates as DD/MM/YYYY or YYYY-MM-DD. Columns may come in any order; an unknown column is reported.',
    csvExample: 'Download an example (factures-exemple.csv)', column: 'Column', requiredCol: 'Required', meaning: 'Content', example: 'Example',
    yes: 'yes', no: 'no', oneOf: 'one of the two',
    col_id: 'Unique id of the invoice', col_number: 'Invoice number', col_debtorId: 'Customer id',
    col_issueDate: 'Invoice date', col_dueDate: 'Due date (or terms)', col_terms: 'Terms: net:30, net:30:delivery, onReceipt, endOfMonth:45 (or dueDate)',
    col_currency: 'Currency (ISO code)', col_total: 'Amount incl. VAT', col_deliveryDate: 'Delivery date (when the terms count from it)',
    col_sector: 'Sector (special legal terms)', col_paidAmount: 'Amount already paid', col_paidDate: 'Date of that payment',
    csvAt: 'Row {line}, column "{column}": ', csvRow: 'Row {line}: ', csvHeaderAt: 'Header, column {n} "{name}": ',
    csvInvoice: 'Invoice {number}: ', csvFile: 'File: ',
    err_unknown_field: 'Unknown column: see the list of expected columns.', err_invalid_json: 'Malformed row (unclosed quote, or not as many columns as the header).',
    err_unknown_variant: 'Value not recognised.', err_unknown_reference: 'This customer is not known.', err_invalid_currency: 'Unknown currency (3-letter ISO code, e.g. EUR).',
    err_terms_or_due_date: 'Give either a due date or payment terms.', err_too_many_items: 'Too many rows (100,000 at most).',
    template_courtesy_before_due: 'Courtesy reminder', template_first_reminder: 'First reminder', template_second_reminder: 'Second reminder',
    template_phone_call: 'Phone call', template_formal_letter: 'Reminder letter', template_formal_notice: 'Formal notice',
    template_legal_handoff: 'Legal action', template_agency_handoff: 'Collection agency',
    template_payment_plan_proposal: 'Payment plan offer', template_instalment_upcoming: 'Instalment {n} coming up',
    template_instalment_missed: 'Instalment {n} missed', template_thanks_payment: 'Thank-you',
    template_promise_broken: 'Broken promise', template_penalty_claim: 'Penalty claim',
    required: 'Required.', fixFields: 'Fix the fields marked to see the timeline.', technicalDetails: 'Technical details',
    err_invalid_amount: 'Unreadable amount: write for example 4,800.50.', err_non_positive_amount: 'The amount must be more than zero.',
    err_negative_amount: 'The amount cannot be negative.', err_too_many_decimals: 'Two decimals at most (cents).',
    err_invalid_date: 'Invalid date.', err_date_out_of_range: 'Date outside the possible range.', err_date_before_issue: 'This date is before the invoice date.',
    err_end_before_start: 'This date is before the one it depends on.', err_out_of_range: 'Value outside the accepted limits.',
    err_missing_field: 'Missing information.', err_invalid_payment_plan: 'Inconsistent payment plan: check its dates and amounts.',
    err_steps_out_of_order: 'The steps are not in the order of their dates.', err_empty_policy: 'The policy has no step.',
    err_duplicate_id: 'Two steps have the same name.', err_invalid_id: 'Invalid step name (letters, digits, dashes).',
    err_other: 'This value is not accepted.',
  },
};

export function t(lang, key) {
  return STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? key;
}

/// Formats a decimal string as money in the interface language (display only; the figures are the core's).
export function money(lang, value) {
  if (value === null || value === undefined) return '—';
  const [int, frac = ''] = String(value).split('.');
  const digits = int.replace('-', '');
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'fr' ? '\u202f' : ',');
  const cents = (frac + '00').slice(0, 2);
  const sign = int.startsWith('-') ? '-' : '';
  return lang === 'fr' ? `${sign}${grouped},${cents}\u00a0€` : `${sign}€${grouped}.${cents}`;
}

export function longDate(lang, iso) {
  if (!iso) return '—';
  const [y, m, d] = iso.split('-').map(Number);
  const months = STRINGS[lang].months;
  return lang === 'fr' ? `${d === 1 ? '1er' : d} ${months[m - 1]} ${y}` : `${d} ${months[m - 1]} ${y}`;
}

/// A step's name for people: the template it sends (an instalment's with its number); a step the
/// visitor named in the editor keeps that name when its template has none.
export function stepName(lang, stepId, template) {
  const n = /^instalment-(\d+)-/.exec(stepId ?? '')?.[1] ?? '';
  const named = STRINGS[lang][`template_${template}`];
  return named ? named.replace(/ ?\{n\}/, n && ` ${n}`) : stepId;
}

/// An error of the core in the visitor's words (by its code), for beside the field it concerns.
export function errorWords(lang, code) {
  return STRINGS[lang][`err_${code}`] ?? STRINGS[lang].err_other;
}

/// The core's own words for an error (code, path, message), folded under "Détails techniques" for
/// developers, beside the visitor's.
export function technicalDetails(lang, error) {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = t(lang, 'technicalDetails');
  const code = document.createElement('code');
  code.textContent = `${error.code}${error.path ? ` ${error.path}` : ''}: ${error.message}`;
  details.append(summary, code);
  return details;
}

/// A string with its `{name}` placeholders filled in.
export function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), text);
}

/// The half-year a core message names (`2026-H2`): its label, year, half and first day; null
/// when it names none.
export function namedHalfYear(message) {
  const m = /(\d{4})-H([12])/.exec(message ?? '');
  return m && { label: m[0], year: m[1], half: m[2], from: `${m[1]}-${m[2] === '1' ? '01' : '07'}-01` };
}

/// A half-year in words ("2d semestre 2026").
export function halfYearWords(lang, half) {
  return fill(t(lang, `half${half.half}`), { year: half.year });
}

/// The sentence saying which reference rate is not published yet, from the core's missing_rate
/// error (its message names the half-year).
export function missingRateWords(lang, error) {
  const half = namedHalfYear(error.message);
  return half ? fill(t(lang, 'missingRateFor'), { half: halfYearWords(lang, half), label: half.label }) : error.message;
}

/// A day without its year, for a chart's axis ("13 juin", "13 Jun").
export function shortDate(lang, iso) {
  const [, m, d] = iso.split('-').map(Number);
  const month = STRINGS[lang].monthsShort[m - 1];
  return lang === 'fr' ? `${d === 1 ? '1er' : d} ${month}` : `${d} ${month}`;
}

/// A round amount for a chart's scale, without cents ("2 500 €", "€2,500").
export function roundMoney(lang, value) {
  return money(lang, Math.round(value).toFixed(0)).replace(/[.,]00(?=\D*$)/, '');
}
