package sdk

import (
	"encoding/json"
	"time"

	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The functions in this file convert between the SDK's plain Go types and
// the protocol's messages, so that neither authors nor hosts see protobuf.

// timeToPB maps the zero time to an unset Timestamp.
func timeToPB(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// timeFromPB maps an unset Timestamp to the zero time; times arrive in UTC.
func timeFromPB(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func ticketToPB(t Ticket) *pb.Ticket {
	var fields map[string]string
	if len(t.Fields) > 0 {
		fields = make(map[string]string, len(t.Fields))
		for k, v := range t.Fields {
			fields[k] = v
		}
	}
	return &pb.Ticket{
		Id:              t.ID,
		Kind:            t.Kind,
		Category:        t.Category,
		Severity:        t.Severity,
		Tier:            t.Tier,
		Title:           t.Title,
		Description:     t.Description,
		ReporterName:    t.ReporterName,
		ReporterContact: t.ReporterContact,
		Location:        t.Location,
		Asset:           t.Asset,
		Fields:          fields,
		EventAt:         timeToPB(t.EventAt),
		Status:          t.Status,
		Department:      t.Department,
		Assignee:        t.Assignee,
		Policy:          t.Policy,
		CreatedAt:       timeToPB(t.CreatedAt),
		Version:         t.Version,
		Targets:         targetsToPB(t.Targets),
	}
}

func targetsToPB(ts []Target) []*pb.Target {
	if len(ts) == 0 {
		return nil
	}
	out := make([]*pb.Target, len(ts))
	for i, tg := range ts {
		out[i] = &pb.Target{Name: tg.Name, WarnAt: timeToPB(tg.WarnAt), DueAt: timeToPB(tg.DueAt), State: tg.State}
	}
	return out
}

func targetsFromPB(ps []*pb.Target) []Target {
	if len(ps) == 0 {
		return nil
	}
	out := make([]Target, len(ps))
	for i, p := range ps {
		out[i] = Target{Name: p.GetName(), WarnAt: timeFromPB(p.GetWarnAt()), DueAt: timeFromPB(p.GetDueAt()), State: p.GetState()}
	}
	return out
}

func ticketFromPB(p *pb.Ticket) Ticket {
	if p == nil {
		return Ticket{}
	}
	var fields map[string]string
	if len(p.GetFields()) > 0 {
		fields = make(map[string]string, len(p.GetFields()))
		for k, v := range p.GetFields() {
			fields[k] = v
		}
	}
	return Ticket{
		ID:              p.GetId(),
		Kind:            p.GetKind(),
		Category:        p.GetCategory(),
		Severity:        p.GetSeverity(),
		Tier:            p.GetTier(),
		Title:           p.GetTitle(),
		Description:     p.GetDescription(),
		ReporterName:    p.GetReporterName(),
		ReporterContact: p.GetReporterContact(),
		Location:        p.GetLocation(),
		Asset:           p.GetAsset(),
		Fields:          fields,
		EventAt:         timeFromPB(p.GetEventAt()),
		Status:          p.GetStatus(),
		Department:      p.GetDepartment(),
		Assignee:        p.GetAssignee(),
		Policy:          p.GetPolicy(),
		CreatedAt:       timeFromPB(p.GetCreatedAt()),
		Version:         p.GetVersion(),
		Targets:         targetsFromPB(p.GetTargets()),
	}
}

func eventToPB(ev Event) *pb.Event {
	var data []byte
	if len(ev.Data) > 0 {
		data = append([]byte(nil), ev.Data...)
	}
	return &pb.Event{
		Id:       ev.ID,
		Seq:      ev.Seq,
		TicketId: ev.TicketID,
		Type:     ev.Type,
		Actor:    ev.Actor,
		At:       timeToPB(ev.At),
		Data:     data,
		Ticket:   ticketToPB(ev.Ticket),
	}
}

func eventFromPB(p *pb.Event) Event {
	if p == nil {
		return Event{}
	}
	var data json.RawMessage
	if len(p.GetData()) > 0 {
		data = append(json.RawMessage(nil), p.GetData()...)
	}
	return Event{
		ID:       p.GetId(),
		Seq:      p.GetSeq(),
		TicketID: p.GetTicketId(),
		Type:     p.GetType(),
		Actor:    p.GetActor(),
		At:       timeFromPB(p.GetAt()),
		Data:     data,
		Ticket:   ticketFromPB(p.GetTicket()),
	}
}

func copyFields(in map[string]string) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

func newTicketToPB(nt NewTicket) *pb.NewTicket {
	return &pb.NewTicket{
		Kind:            nt.Kind,
		Category:        nt.Category,
		Severity:        nt.Severity,
		Tier:            nt.Tier,
		Title:           nt.Title,
		Description:     nt.Description,
		ReporterName:    nt.ReporterName,
		ReporterContact: nt.ReporterContact,
		Location:        nt.Location,
		Asset:           nt.Asset,
		Fields:          copyFields(nt.Fields),
		EventAt:         timeToPB(nt.EventAt),
	}
}

func newTicketFromPB(p *pb.NewTicket) NewTicket {
	if p == nil {
		return NewTicket{}
	}
	return NewTicket{
		Kind:            p.GetKind(),
		Category:        p.GetCategory(),
		Severity:        p.GetSeverity(),
		Tier:            p.GetTier(),
		Title:           p.GetTitle(),
		Description:     p.GetDescription(),
		ReporterName:    p.GetReporterName(),
		ReporterContact: p.GetReporterContact(),
		Location:        p.GetLocation(),
		Asset:           p.GetAsset(),
		Fields:          copyFields(p.GetFields()),
		EventAt:         timeFromPB(p.GetEventAt()),
	}
}

func deliveryToPB(d Delivery) *pb.Delivery {
	out := &pb.Delivery{Id: d.ID}
	if d.Ticket != nil {
		out.Ticket = ticketToPB(*d.Ticket)
	}
	if d.Event != nil {
		out.Event = eventToPB(*d.Event)
	}
	return out
}

func ackFromPB(a *pb.DeliveryAck) Ack {
	out := Ack{ID: a.GetId(), Err: a.GetError()}
	if r := a.GetReply(); r != nil {
		out.Reply = replyFromPB(r)
	}
	return out
}

func replyToPB(r Reply) *pb.HandleTicketResponse {
	return &pb.HandleTicketResponse{Accept: r.Accept, Assignee: r.Assignee, Note: r.Note, Status: r.Status, StatusNote: r.StatusNote}
}

func replyFromPB(r *pb.HandleTicketResponse) Reply {
	return Reply{Accept: r.GetAccept(), Assignee: r.GetAssignee(), Note: r.GetNote(), Status: r.GetStatus(), StatusNote: r.GetStatusNote()}
}
